package org.memcircuits.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.memcircuits.InvalidInputException;
import org.memcircuits.circuit.DiscoveryRunner;
import org.memcircuits.circuit.MinimalCircuitSearch;
import org.memcircuits.contracts.DiscoveryParams;
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
        DiscoveryParams p = new DiscoveryParams(igSteps, gradFunction, loss, ablation, patch, direction, metric, target,
                trainFraction, seed, batchSize, prependBos, signed, mergeQkv, search).normalized();
        List<String> problems = p.problems();
        if (!problems.isEmpty()) {
            throw new InvalidInputException(String.join("; ", problems));
        }
        try (Checkpoint ckpt = model.load()) {
            DiscoveryRunner.Outcome o = DiscoveryRunner.run(ckpt, model.model, dataset, p, out, new DiscoveryRunner.Progress() {
                @Override
                public void attribution(int b, int bs, int s, int ss) {
                    System.err.printf("\rattribution: batch %d/%d, step %d/%d", b + 1, bs, s + 1, ss);
                }

                @Override
                public void evaluation(MinimalCircuitSearch.Evaluation e) {
                    System.err.printf("%nsearch: %d edges -> faithfulness %.4f", e.requestedEdges(), e.faithfulness());
                }
            });
            System.err.println();
            Json.print(o.result());
        }
        return 0;
    }
}
