package org.memcircuits.circuit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.memcircuits.InvalidInputException;
import org.memcircuits.attribution.ContrastiveDataset;
import org.memcircuits.attribution.EdgeAttribution;
import org.memcircuits.attribution.GradFunction;
import org.memcircuits.attribution.Loss;
import org.memcircuits.attribution.PairBatch;
import org.memcircuits.attribution.PromptPair;
import org.memcircuits.attribution.PruneScores;
import org.memcircuits.contracts.DiscoveryParams;
import org.memcircuits.graph.CircuitGraph;
import org.memcircuits.model.Checkpoint;

/**
 * Stage 3 end to end on one machine, the same for the command line and the service: load and
 * split the dataset, EAP-IG on the train split, the minimal-circuit search on the test split, and
 * the four output files ({@code prune_scores.safetensors}, {@code graph.json}, {@code result.json},
 * {@code circuit.svg}).
 */
public final class DiscoveryRunner {
    public static final List<String> FILES = List.of("prune_scores.safetensors", "graph.json", "result.json", "circuit.svg");

    public interface Progress {
        void attribution(int batch, int batches, int step, int steps);

        void evaluation(MinimalCircuitSearch.Evaluation e);
    }

    public record Outcome(ObjectNode result, Integer minimalEdges, Double faithfulness) {}

    private DiscoveryRunner() {}

    public static Outcome run(Checkpoint ckpt, String modelRef, Path dataset, DiscoveryParams params, Path out, Progress progress)
            throws IOException {
        DiscoveryParams p = params.normalized();
        List<String> problems = p.problems();
        if (!problems.isEmpty()) {
            throw new InvalidInputException("invalid discovery parameters: " + String.join("; ", problems));
        }
        GradFunction g = GradFunction.parse(p.gradFunction());
        Loss l = Loss.parse(p.loss());
        Ablation a = Ablation.parse(p.ablation());
        PatchType pt = PatchType.parse(p.patch());
        Direction d = Direction.parse(p.direction());
        CircuitMetric cm = CircuitMetric.parse(p.metric());
        Files.createDirectories(out);
        long pad = ckpt.config().eosTokenId();
        List<PromptPair> pairs = ContrastiveDataset.load(dataset, ckpt.tokenizer(), p.prependBos());
        ContrastiveDataset.Split split = ContrastiveDataset.split(pairs, p.trainFraction(), p.seed());
        if (split.train().isEmpty()) {
            throw new InvalidInputException(dataset + ": no training pairs (" + pairs.size() + " pairs, train fraction "
                    + p.trainFraction() + ")");
        }
        CircuitGraph graph = new CircuitGraph(ckpt.config(), !p.mergeQkv());
        List<PairBatch> train = ContrastiveDataset.batches(split.train(), p.batchSize(), pad);
        PruneScores scores = new EdgeAttribution(ckpt.model(), graph).attribute(train, p.igSteps(), g, l, progress::attribution);
        DiscoveryOutputs.writeScores(scores, out.resolve("prune_scores.safetensors"));

        ObjectMapper om = new ObjectMapper();
        ObjectNode r = om.createObjectNode();
        r.put("model", modelRef);
        r.put("total_edges", graph.edgeCount());
        r.put("integrated_gradient_steps", p.igSteps());
        r.put("ablation_type", a.name());
        r.put("patch_type", pt.name() + "_PATCH");
        r.put("grad_function", p.gradFunction());
        r.put("loss_function", p.loss());
        r.put("direction", p.direction());
        r.put("optimize_metric", p.metric());
        r.put("target_performance", p.target());
        r.put("train_pairs", split.train().size());
        r.put("test_pairs", split.test().size());
        r.put("prepend_bos", p.prependBos());
        r.put("signed_ranking", p.signed());
        r.put("separate_qkv", !p.mergeQkv());
        CircuitSelection circuit;
        Integer minimal = null;
        Double faithfulness = null;
        if (p.search() && !split.test().isEmpty()) {
            List<PairBatch> test = ContrastiveDataset.batches(split.test(), p.batchSize(), pad);
            MinimalCircuitSearch.Result res;
            try (CircuitEvaluator evaluator = new CircuitEvaluator(ckpt.model(), graph)) {
                res = new MinimalCircuitSearch(evaluator, scores, pt, d, a, cm, p.signed()).onEvaluation(progress::evaluation)
                        .search(test, p.target());
            }
            circuit = CircuitSelection.topK(scores, res.minimalEdges(), p.signed());
            minimal = res.minimalEdges();
            faithfulness = res.faithfulness();
            r.put("minimal_edges", res.minimalEdges());
            r.put("actual_edges", res.actualEdges());
            r.put("ties_admitted", circuit.tiesAdmitted());
            r.put("edge_percentage", 100.0 * res.actualEdges() / graph.edgeCount());
            r.put("final_metric", res.metric());
            r.put("faithfulness", res.faithfulness());
            r.put("target_reached", res.targetReached());
            r.put("baseline_zero_edges", res.baselineZero());
            r.put("baseline_all_edges", res.baselineAll());
            ArrayNode trace = r.putArray("search_trace");
            for (MinimalCircuitSearch.Evaluation e : res.trace()) {
                trace.addObject().put("edges", e.requestedEdges()).put("actual_edges", e.actualEdges()).put("metric", e.metric())
                        .put("faithfulness", e.faithfulness());
            }
            ArrayNode nm = r.putArray("non_monotonic");
            res.nonMonotonic().forEach(nm::add);
        } else {
            circuit = CircuitSelection.topK(scores, 0, p.signed());
            r.put("search", p.search() ? "skipped: no test pairs" : "skipped (search off)");
        }
        DiscoveryOutputs.writeGraphJson(scores, circuit, out.resolve("graph.json"));
        DiscoveryOutputs.writeSvg(scores, circuit, out.resolve("circuit.svg"));
        om.writerWithDefaultPrettyPrinter().writeValue(out.resolve("result.json").toFile(), r);
        return new Outcome(r, minimal, faithfulness);
    }
}
