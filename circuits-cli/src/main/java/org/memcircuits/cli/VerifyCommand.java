package org.memcircuits.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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
import org.memcircuits.graph.CircuitGraph;
import org.memcircuits.model.Checkpoint;
import org.memcircuits.verify.CircuitVerifier;
import org.memcircuits.verify.VerificationReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Stage 4 locally: a circuit's faithfulness on any dataset, against random circuits, as JSON and an HTML report. */
@Command(name = "verify", description = "Faithfulness of a circuit on a dataset, against random circuits; result.json and report.html.")
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--dataset", required = true, paramLabel = "FILE.json", description = "Contrastive dataset to evaluate on.")
    Path dataset;

    @Option(names = "--scores", required = true, paramLabel = "FILE.safetensors", description = "Prune scores from discovery.")
    Path scores;

    @Option(names = "--edges", required = true, split = ",", paramLabel = "K[,K...]", description = "Edge counts to evaluate.")
    int[] edges;

    @Option(names = "--ablation", defaultValue = "resample")
    String ablation;

    @Option(names = "--patch", defaultValue = "edge")
    String patch;

    @Option(names = "--direction", defaultValue = "noising")
    String direction;

    @Option(names = "--metric", defaultValue = "logit_diff", description = "Metric for the random-baseline verdict. Default: ${DEFAULT-VALUE}.")
    String metric;

    @Option(names = "--random-trials", defaultValue = "10")
    int randomTrials;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the random circuits. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--margin", defaultValue = "0.05", description = "Faithfulness by which a circuit must beat the random mean. Default: ${DEFAULT-VALUE}.")
    double margin;

    @Option(names = "--dataset-size", defaultValue = "1.0", description = "Share of the (shuffled) dataset evaluated. Default: ${DEFAULT-VALUE}.")
    double datasetSize;

    @Option(names = "--split-seed", defaultValue = "42")
    long splitSeed;

    @Option(names = "--train-dataset", paramLabel = "FILE.json", description = "Dataset the scores were computed on (leakage check).")
    Path trainDataset;

    @Option(names = "--train-fraction", defaultValue = "0.9", description = "Train share used by discovery. Default: ${DEFAULT-VALUE}.")
    double trainFraction;

    @Option(names = "--batch-size", defaultValue = "80")
    int batchSize;

    @Option(names = "--prepend-bos")
    boolean prependBos;

    @Option(names = "--signed")
    boolean signed;

    @Option(names = "--merge-qkv")
    boolean mergeQkv;

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Override
    public Integer call() throws Exception {
        CircuitVerifier.Options o = new CircuitVerifier.Options(Arrays.stream(edges).boxed().toList(),
                parse(() -> Ablation.parse(ablation), "--ablation", ablation), parse(() -> PatchType.parse(patch), "--patch", patch),
                parse(() -> Direction.parse(direction), "--direction", direction),
                parse(() -> CircuitMetric.parse(metric), "--metric", metric), randomTrials, seed, margin, signed);
        if (randomTrials < 0 || batchSize < 1 || !(datasetSize > 0 && datasetSize <= 1)) {
            throw new InvalidInputException("--random-trials must be >= 0, --batch-size >= 1, --dataset-size in (0, 1]");
        }
        Files.createDirectories(out);
        try (Checkpoint ckpt = model.load()) {
            CircuitGraph graph = new CircuitGraph(ckpt.config(), !mergeQkv);
            PruneScores s = DiscoveryOutputs.readScores(scores, graph);
            List<PromptPair> pairs = ContrastiveDataset.load(dataset, ckpt.tokenizer(), prependBos);
            List<PromptPair> eval = ContrastiveDataset.split(pairs, 1 - datasetSize, splitSeed).test();
            List<PromptPair> train = trainDataset == null ? List.of()
                    : ContrastiveDataset.split(ContrastiveDataset.load(trainDataset, ckpt.tokenizer(), prependBos), trainFraction,
                            splitSeed).train();
            List<PairBatch> batches = ContrastiveDataset.batches(eval, batchSize, ckpt.config().eosTokenId());
            CircuitVerifier.Report r = new CircuitVerifier(new CircuitEvaluator(ckpt.model(), graph)).verify(batches, s, o, train);
            Map<String, Object> context = new LinkedHashMap<>();
            context.put("model", model.model);
            context.put("scores", scores.toString());
            context.put("dataset", dataset.toString());
            context.put("train_pairs_checked", train.size());
            VerificationReport.writeJson(r, context, out.resolve("result.json"));
            String svg = DiscoveryOutputs.svg(s, CircuitSelection.topK(s, edges.length == 0 ? 0 : edges[0], signed));
            VerificationReport.writeHtml(r, context, svg, out.resolve("report.html"));
            Map<String, Object> summary = new LinkedHashMap<>(context);
            summary.put("result", out.resolve("result.json").toAbsolutePath().toString());
            summary.put("report", out.resolve("report.html").toAbsolutePath().toString());
            summary.put("leaked_pairs", r.leakedPairs());
            summary.put("rows", r.rows().stream().map(x -> Map.of("edges", x.requestedEdges(), "faithfulness",
                    x.faithfulness().get(o.primary().name().toLowerCase()), "random_mean", x.randomMean(), "better_than_random",
                    x.betterThanRandom())).toList());
            Json.print(summary);
        }
        return 0;
    }

    private static <T> T parse(java.util.function.Supplier<T> f, String option, String value) {
        try {
            return f.get();
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(option + ": unknown value '" + value + "'");
        }
    }
}
