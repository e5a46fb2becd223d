package org.memcircuits.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.memcircuits.InvalidInputException;
import org.memcircuits.contracts.VerifyRequest;
import org.memcircuits.model.Checkpoint;
import org.memcircuits.verify.VerifyRunner;
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
        VerifyRequest r = new VerifyRequest(1, "local", model.model, null, null, Arrays.stream(edges).boxed().toList(), ablation,
                patch, direction, metric, randomTrials, seed, margin, datasetSize, null, trainFraction, batchSize).normalized();
        if (!r.parameterProblems().isEmpty()) {
            throw new InvalidInputException(String.join("; ", r.parameterProblems()));
        }
        try (Checkpoint ckpt = model.load()) {
            VerifyRunner.Outcome o = VerifyRunner.run(ckpt, r, dataset, scores, trainDataset, prependBos, signed, mergeQkv, out);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("result", o.result().toAbsolutePath().toString());
            summary.put("report", o.html().toAbsolutePath().toString());
            summary.put("leaked_pairs", o.report().leakedPairs());
            summary.put("rows", o.report().rows().stream().map(x -> Map.of("edges", x.requestedEdges(), "faithfulness",
                    x.faithfulness().get(r.metric()), "random_mean", x.randomMean(), "better_than_random",
                    x.betterThanRandom())).toList());
            Json.print(summary);
        }
        return 0;
    }
}
