package org.memcircuits.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.memcircuits.InvalidInputException;
import org.memcircuits.attribution.ContrastiveDataset;
import org.memcircuits.attribution.EdgeAttribution;
import org.memcircuits.attribution.GradFunction;
import org.memcircuits.attribution.Loss;
import org.memcircuits.attribution.PairBatch;
import org.memcircuits.attribution.PromptPair;
import org.memcircuits.attribution.PruneScores;
import org.memcircuits.circuit.Ablation;
import org.memcircuits.circuit.CircuitEvaluator;
import org.memcircuits.circuit.CircuitMetric;
import org.memcircuits.circuit.CircuitSelection;
import org.memcircuits.circuit.Direction;
import org.memcircuits.circuit.DiscoveryOutputs;
import org.memcircuits.circuit.MinimalCircuitSearch;
import org.memcircuits.circuit.PatchType;
import org.memcircuits.graph.CircuitGraph;
import org.memcircuits.model.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Stage 3 locally: EAP-IG edge scores on the train split, then the smallest faithful circuit on the test split. */
@Command(name = "discover", description = "EAP-IG edge attribution and the minimal-circuit search.")
final class DiscoverCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--dataset", required = true, paramLabel = "FILE.json", description = "{\"prompts\":[{clean,corrupt,answers,wrong_answers}]}")
    Path dataset;

    @Option(names = "--ig-steps", defaultValue = "5", description = "m (m+1 mask values 0..1); 0 = EAP. Default: ${DEFAULT-VALUE}.")
    int igSteps;

    @Option(names = "--grad-function", defaultValue = "logit", description = "logit|prob|logprob|logit_exp. Default: ${DEFAULT-VALUE}.")
    String gradFunction;

    @Option(names = "--loss", defaultValue = "avg_diff", description = "avg_diff|neg_avg_diff|avg_val|avg_val_wrong. Default: ${DEFAULT-VALUE}.")
    String loss;

    @Option(names = "--ablation", defaultValue = "resample", description = "resample|zero|batch_tokenwise_mean|batch_all_tok_mean. Default: ${DEFAULT-VALUE}.")
    String ablation;

    @Option(names = "--patch", defaultValue = "edge", description = "edge|tree. Default: ${DEFAULT-VALUE}.")
    String patch;

    @Option(names = "--direction", defaultValue = "denoising", description = "denoising|noising. Default: ${DEFAULT-VALUE}.")
    String direction;

    @Option(names = "--metric", defaultValue = "logit_diff", description = "Metric faithfulness is measured on. Default: ${DEFAULT-VALUE}.")
    String metric;

    @Option(names = "--target", defaultValue = "0.85", description = "Faithfulness to keep. Default: ${DEFAULT-VALUE}.")
    double target;

    @Option(names = "--train-fraction", defaultValue = "0.9", description = "Default: ${DEFAULT-VALUE}.")
    double trainFraction;

    @Option(names = "--seed", defaultValue = "42", description = "Shuffle seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--batch-size", defaultValue = "80", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--prepend-bos", description = "Prepend <|endoftext|> to prompts (the original's behaviour; off by default to match scoring).")
    boolean prependBos;

    @Option(names = "--signed", description = "Rank edges by signed score instead of |score|.")
    boolean signed;

    @Option(names = "--merge-qkv", description = "One input per head instead of separate Q, K, V (11,611 edges for GPT-Neo-125M).")
    boolean mergeQkv;

    @Option(names = "--search", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Search for the minimal circuit (default); --no-search writes scores only.")
    boolean search;

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Override
    public Integer call() throws Exception {
        GradFunction g = parse(() -> GradFunction.parse(gradFunction), "--grad-function", gradFunction);
        Loss l = parse(() -> Loss.parse(loss), "--loss", loss);
        Ablation a = parse(() -> Ablation.parse(ablation), "--ablation", ablation);
        PatchType pt = parse(() -> PatchType.parse(patch), "--patch", patch);
        Direction d = parse(() -> Direction.parse(direction), "--direction", direction);
        CircuitMetric cm = parse(() -> CircuitMetric.parse(metric), "--metric", metric);
        if (batchSize < 1) {
            throw new InvalidInputException("--batch-size must be positive, got " + batchSize);
        }
        Files.createDirectories(out);
        try (Checkpoint ckpt = model.load()) {
            long pad = ckpt.config().eosTokenId();
            List<PromptPair> pairs = ContrastiveDataset.load(dataset, ckpt.tokenizer(), prependBos);
            ContrastiveDataset.Split split = ContrastiveDataset.split(pairs, trainFraction, seed);
            if (split.train().isEmpty()) {
                throw new InvalidInputException(dataset + ": no training pairs (" + pairs.size() + " pairs, train fraction " + trainFraction + ")");
            }
            CircuitGraph graph = new CircuitGraph(ckpt.config(), !mergeQkv);
            List<PairBatch> train = ContrastiveDataset.batches(split.train(), batchSize, pad);
            PruneScores scores = new EdgeAttribution(ckpt.model(), graph).attribute(train, igSteps, g, l,
                    (b, bs, s, ss) -> System.err.printf("\rattribution: batch %d/%d, step %d/%d", b + 1, bs, s + 1, ss));
            System.err.println();
            DiscoveryOutputs.writeScores(scores, out.resolve("prune_scores.safetensors"));

            ObjectNode r = Json.MAPPER.createObjectNode();
            r.put("model", model.model);
            r.put("total_edges", graph.edgeCount());
            r.put("integrated_gradient_steps", igSteps);
            r.put("ablation_type", a.name());
            r.put("patch_type", pt.name() + "_PATCH");
            r.put("grad_function", g.name().toLowerCase());
            r.put("loss_function", l.name().toLowerCase());
            r.put("direction", d.name().toLowerCase());
            r.put("optimize_metric", cm.name().toLowerCase());
            r.put("target_performance", target);
            r.put("train_pairs", split.train().size());
            r.put("test_pairs", split.test().size());
            r.put("prepend_bos", prependBos);
            r.put("signed_ranking", signed);
            CircuitSelection circuit;
            if (search && !split.test().isEmpty()) {
                List<PairBatch> test = ContrastiveDataset.batches(split.test(), batchSize, pad);
                MinimalCircuitSearch.Result res = new MinimalCircuitSearch(new CircuitEvaluator(ckpt.model(), graph), scores, pt, d, a,
                        cm, signed).search(test, target);
                circuit = CircuitSelection.topK(scores, res.minimalEdges(), signed);
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
                    trace.addObject().put("edges", e.requestedEdges()).put("actual_edges", e.actualEdges())
                            .put("metric", e.metric()).put("faithfulness", e.faithfulness());
                }
                ArrayNode nm = r.putArray("non_monotonic");
                res.nonMonotonic().forEach(nm::add);
            } else {
                circuit = CircuitSelection.topK(scores, 0, signed);
                r.put("search", search ? "skipped: no test pairs" : "skipped (--no-search)");
            }
            DiscoveryOutputs.writeGraphJson(scores, circuit, out.resolve("graph.json"));
            DiscoveryOutputs.writeSvg(scores, circuit, out.resolve("circuit.svg"));
            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(out.resolve("result.json").toFile(), r);
            Json.print(r);
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
