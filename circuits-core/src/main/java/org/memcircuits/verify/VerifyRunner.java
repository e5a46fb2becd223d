package org.memcircuits.verify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.memcircuits.InvalidInputException;
import org.memcircuits.attribution.ContrastiveDataset;
import org.memcircuits.attribution.PairBatch;
import org.memcircuits.attribution.PromptPair;
import org.memcircuits.attribution.PruneScores;
import org.memcircuits.circuit.Ablation;
import org.memcircuits.circuit.CircuitEvaluator;
import org.memcircuits.circuit.CircuitMetric;
import org.memcircuits.circuit.CircuitSelection;
import org.memcircuits.circuit.Direction;
import org.memcircuits.circuit.DiscoveryOutputs;
import org.memcircuits.circuit.PatchType;
import org.memcircuits.contracts.VerifyRequest;
import org.memcircuits.graph.CircuitGraph;
import org.memcircuits.model.Checkpoint;

/** Stage 4 end to end on one machine, the same for the command line and the service. */
public final class VerifyRunner {
    public record Outcome(CircuitVerifier.Report report, Path result, Path html) {}

    private VerifyRunner() {}

    /**
     * @param r a normalized request (its artifact references are only named in the report)
     * @param trainDataset local copy of the dataset the scores were computed on, or null
     */
    public static Outcome run(Checkpoint ckpt, VerifyRequest r, Path dataset, Path scores, Path trainDataset, boolean prependBos,
            boolean signed, boolean mergeQkv, Path out) throws IOException {
        List<String> problems = r.parameterProblems();
        if (!problems.isEmpty()) {
            throw new InvalidInputException("invalid verification request: " + String.join("; ", problems));
        }
        CircuitVerifier.Options o = new CircuitVerifier.Options(r.edges(), Ablation.parse(r.ablation()), PatchType.parse(r.patch()),
                Direction.parse(r.direction()), CircuitMetric.parse(r.metric()), r.randomTrials(), r.seed(), r.margin(), signed);
        Files.createDirectories(out);
        CircuitGraph graph = new CircuitGraph(ckpt.config(), !mergeQkv);
        PruneScores s = DiscoveryOutputs.readScores(scores, graph);
        long splitSeed = 42;
        List<PromptPair> pairs = ContrastiveDataset.load(dataset, ckpt.tokenizer(), prependBos);
        List<PromptPair> eval = ContrastiveDataset.splitByTestFraction(pairs, r.datasetSize(), splitSeed).test();
        List<PromptPair> train = trainDataset == null ? List.of()
                : ContrastiveDataset.split(ContrastiveDataset.load(trainDataset, ckpt.tokenizer(), prependBos), r.trainFraction(),
                        splitSeed).train();
        List<PairBatch> batches = ContrastiveDataset.batches(eval, r.batchSize(), ckpt.config().eosTokenId());
        CircuitVerifier.Report report;
        try (CircuitEvaluator evaluator = new CircuitEvaluator(ckpt.model(), graph)) {
            report = new CircuitVerifier(evaluator).verify(batches, s, o, train);
        }
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("model", r.model());
        context.put("scores", r.scores() != null ? r.scores().uri() : scores.toString());
        context.put("dataset", r.dataset() != null ? r.dataset().uri() : dataset.toString());
        context.put("train_pairs_checked", train.size());
        Path result = out.resolve("result.json");
        Path html = out.resolve("report.html");
        VerificationReport.writeJson(report, context, result);
        VerificationReport.writeHtml(report, context, DiscoveryOutputs.svg(s, CircuitSelection.topK(s, r.edges().get(0), signed)),
                html);
        return new Outcome(report, result, html);
    }
}
