package org.memcircuits.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.memcircuits.InvalidInputException;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.ArtifactKeys;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.ScoreRequest;
import org.memcircuits.contracts.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Submits a job to the running services: uploads local inputs, sends the request, prints the job id. */
@Command(name = "submit", description = "Submit a job to the services over Kafka; prints {\"jobId\":...}.",
        subcommands = {SubmitCommand.Score.class, SubmitCommand.Discover.class})
final class SubmitCommand {

    /** Streamed: corpora can be gigabytes. */
    static String sha256(Path file) throws java.io.IOException {
        try (var in = new java.security.DigestInputStream(Files.newInputStream(file),
                java.security.MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return java.util.HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Uploads a local input by digest (once) and returns its reference. */
    static ArtifactRef upload(Path file) throws Exception {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException("--dataset: " + file + " not found");
        }
        try (ArtifactStore store = ArtifactStore.fromEnv()) {
            store.ensureBucket();
            String key = ArtifactKeys.input(sha256(file) + "/" + file.getFileName());
            return store.find(key).orElseGet(() -> store.put(key, file, "application/octet-stream"));
        }
    }

    @Command(name = "discover", description = "Find a circuit on a contrastive dataset (stage 3); parameters as `circuits discover`.")
    static final class Discover implements Callable<Integer> {
        @Option(names = "--model", defaultValue = "builtin:tiny")
        String model;

        @Option(names = "--dataset", required = true, paramLabel = "FILE.json")
        Path dataset;

        @Option(names = "--ig-steps")
        Integer igSteps;

        @Option(names = "--grad-function")
        String gradFunction;

        @Option(names = "--loss")
        String loss;

        @Option(names = "--ablation")
        String ablation;

        @Option(names = "--patch")
        String patch;

        @Option(names = "--direction")
        String direction;

        @Option(names = "--metric")
        String metric;

        @Option(names = "--target")
        Double target;

        @Option(names = "--train-fraction")
        Double trainFraction;

        @Option(names = "--seed")
        Long seed;

        @Option(names = "--batch-size")
        Integer batchSize;

        @Option(names = "--job-id")
        String jobId;

        @Override
        public Integer call() throws Exception {
            ArtifactRef ds = upload(dataset);
            org.memcircuits.contracts.DiscoveryRequest r = new org.memcircuits.contracts.DiscoveryRequest(
                    ScoreRequest.SCHEMA_VERSION, jobId, model, ds, new org.memcircuits.contracts.DiscoveryParams(igSteps,
                            gradFunction, loss, ablation, patch, direction, metric, target, trainFraction, seed, batchSize, null,
                            null, null, null), List.of()).normalized();
            List<String> problems = r.problems();
            if (!problems.isEmpty()) {
                throw new InvalidInputException(String.join("; ", problems));
            }
            Cluster.send(Topics.DISCOVERY_REQUESTS, r.jobId(), r.jobId() + "/request", EventTypes.DISCOVERY_REQUEST, r);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("jobId", r.jobId());
            out.put("dataset", ds.uri());
            Json.print(out);
            return 0;
        }
    }

    @Command(name = "score", description = "Score a corpus for memorization (stage 1).")
    static final class Score implements Callable<Integer> {
        @Option(names = "--model", defaultValue = "builtin:tiny", description = "Model reference as the services see it. Default: ${DEFAULT-VALUE}.")
        String model;

        @Option(names = "--dataset", required = true, paramLabel = "FILE", description = "Local corpus file; uploaded by digest.")
        Path dataset;

        @Option(names = "--text-field", defaultValue = "text")
        String textField;

        @Option(names = "--prompt-tokens", defaultValue = "50")
        int promptTokens;

        @Option(names = "--generation-tokens", defaultValue = "50")
        int generationTokens;

        @Option(names = "--batch-size", defaultValue = "32")
        int batchSize;

        @Option(names = "--shard-size", defaultValue = "1000", description = "Documents per shard. Default: ${DEFAULT-VALUE}.")
        int shardSize;

        @Option(names = "--job-id", description = "Explicit job id (default: derived from the request).")
        String jobId;

        @Option(names = "--next", split = ",", paramLabel = "STAGE[,STAGE...]",
                description = "Stages to run after scoring, with defaults: contrastive, discover, verify.")
        List<String> next;

        @Override
        public Integer call() throws Exception {
            ArtifactRef corpus = upload(dataset);
            ScoreRequest r = new ScoreRequest(ScoreRequest.SCHEMA_VERSION, jobId, model, corpus, textField, promptTokens,
                    generationTokens, batchSize, shardSize, next == null ? List.of() : next).normalized();
            List<String> problems = r.problems();
            if (!problems.isEmpty()) {
                throw new InvalidInputException(String.join("; ", problems));
            }
            Cluster.send(Topics.SCORE_REQUESTS, r.jobId(), r.jobId() + "/request", EventTypes.SCORE_REQUEST, r);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("jobId", r.jobId());
            out.put("corpus", corpus.uri());
            Json.print(out);
            return 0;
        }
    }
}
