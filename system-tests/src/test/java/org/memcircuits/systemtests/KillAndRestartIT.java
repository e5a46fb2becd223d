package org.memcircuits.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.artifacts.StorageConfig;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.ContrastiveRequest;
import org.memcircuits.contracts.ContrastiveResult;
import org.memcircuits.contracts.DiscoveryParams;
import org.memcircuits.contracts.DiscoveryRequest;
import org.memcircuits.contracts.DiscoveryResult;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.JobStatus;
import org.memcircuits.contracts.ScoreRequest;
import org.memcircuits.contracts.ScoreResult;
import org.memcircuits.contracts.Topics;
import org.memcircuits.contracts.VerifyRequest;
import org.memcircuits.contracts.VerifyResult;
import org.memcircuits.model.Checkpoint;
import org.memcircuits.testing.LocalStack;
import org.memcircuits.testing.ServiceProcess;
import org.memcircuits.testing.StatusWatch;
import org.memcircuits.testing.TestKafka;
import org.memcircuits.testing.TopicTail;

/**
 * SIGKILL of each service in the middle of its job, then a restart: the job completes, its stage announces exactly one
 * result, and every object under {@code jobs/<jobId>/} is byte-identical to a run of the same request without the fault.
 *
 * <p>The reference runs first, all four stages at once, with the services writing to a reference bucket; then the
 * services are restarted on a second bucket for the faulty runs (same work dirs, so files that name local paths agree).
 * Inputs live in a third bucket both runs read, so the requests, and the job ids derived from them, are the same.
 */
class KillAndRestartIT {
    private static final Duration JOB = Duration.ofMinutes(6);
    private static LocalStack stack;
    private static ArtifactStore inputs;
    private static ArtifactStore refStore;
    private static ArtifactStore runStore;
    private static Pipeline pipeline;
    private static ScoreRequest score;
    private static ContrastiveRequest contrastive;
    private static DiscoveryRequest discovery;
    private static VerifyRequest verify;
    private static final Map<String, Map<String, String>> reference = new HashMap<>();

    @BeforeAll
    static void referenceRun() throws Exception {
        stack = LocalStack.get();
        inputs = Artifacts.newBucket(stack.uniqueBucket("kill-inputs"));
        refStore = Artifacts.newBucket(stack.uniqueBucket("kill-ref"));
        runStore = Artifacts.newBucket(stack.uniqueBucket("kill-run"));

        ArtifactRef corpus = Fixtures.putText(inputs, "inputs/corpus.jsonl", Fixtures.jsonl(Fixtures.plain(12)), "application/x-ndjson");
        score = new ScoreRequest(1, null, Fixtures.MODEL, corpus, "text", Fixtures.P, Fixtures.G, 2, 4, null).normalized();
        String ds = Fixtures.dataset(12);
        ArtifactRef dataset = Fixtures.putText(inputs, "inputs/dataset.json", ds, "application/json");
        ArtifactRef scores;
        ArtifactRef prune;
        try (Checkpoint tiny = Fixtures.tiny()) {
            scores = Fixtures.scores(tiny, inputs, "inputs/scores.jsonl", Fixtures.withMemorized(tiny, 16));
            prune = Fixtures.pruneScores(tiny, inputs, "inputs/prune.safetensors", ds);
        }
        contrastive = new ContrastiveRequest(1, null, Fixtures.MODEL, scores, null, "divergence", null, null, null, 2, null, null)
                .normalized();
        discovery = new DiscoveryRequest(1, null, Fixtures.MODEL, dataset,
                new DiscoveryParams(3, null, null, null, null, null, null, null, 0.75, null, 3, null, null, null, null), null).normalized();
        verify = new VerifyRequest(1, null, Fixtures.MODEL, dataset, prune, List.of(0, 10, 110), null, null, null, null, 3, null,
                null, null, null, null, 4).normalized();

        long t0 = System.nanoTime();
        pipeline = Pipeline.start(stack, refStore.bucket(), "kill", Pipeline.ALL, List.of(inputs.bucket()));
        log("reference services ready in %d ms", ms(t0));
        try (StatusWatch w = StatusWatch.fromNow(stack.kafkaBootstrap())) {
            long t1 = System.nanoTime();
            send(Topics.SCORE_REQUESTS, EventTypes.SCORE_REQUEST, score.jobId(), score);
            send(Topics.CONTRASTIVE_REQUESTS, EventTypes.CONTRASTIVE_REQUEST, contrastive.jobId(), contrastive);
            send(Topics.DISCOVERY_REQUESTS, EventTypes.DISCOVERY_REQUEST, discovery.jobId(), discovery);
            send(Topics.VERIFY_REQUESTS, EventTypes.VERIFY_REQUEST, verify.jobId(), verify);
            for (String[] j : new String[][] {{score.jobId(), "score"}, {contrastive.jobId(), "contrastive"},
                {discovery.jobId(), "discover"}, {verify.jobId(), "verify"}}) {
                JobStatus s = w.awaitSucceeded(j[0], j[1], JOB);
                log("reference %s: %s after %d ms (%s)", j[1], s.state(), ms(t1), s.message());
            }
        }
        for (String id : List.of(score.jobId(), contrastive.jobId(), discovery.jobId(), verify.jobId())) {
            Map<String, String> d = Artifacts.jobDigests(refStore, id);
            assertThat(d).as("reference artifacts of %s", id).isNotEmpty();
            reference.put(id, d);
        }
        pipeline.close();
        for (String m : Pipeline.ALL) {
            deleteTree(Path.of("target/services/kill", m + "-work"));
        }
        long t2 = System.nanoTime();
        pipeline = Pipeline.start(stack, runStore.bucket(), "kill", Pipeline.ALL, List.of(inputs.bucket()));
        log("services restarted on bucket %s in %d ms", runStore.bucket(), ms(t2));
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        for (ArtifactStore s : new ArtifactStore[] {inputs, refStore, runStore}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @Test
    void scorerKilledDuringAShard() {
        killMidJob(Pipeline.SCORER, "score", score.jobId(), Topics.SCORE_REQUESTS, EventTypes.SCORE_REQUEST, score,
                s -> s.state() == JobStatus.State.RUNNING && s.message() != null && s.message().startsWith("shard "),
                Topics.SCORE_RESULTS, r -> {
                    ScoreResult x = EventCodec.fromJson(r, ScoreResult.class);
                    return List.of(x.scores(), x.summary());
                });
    }

    @Test
    void contrastiveKilledMidJob() {
        killMidJob(Pipeline.CONTRASTIVE, "contrastive", contrastive.jobId(), Topics.CONTRASTIVE_REQUESTS,
                EventTypes.CONTRASTIVE_REQUEST, contrastive,
                s -> s.state() == JobStatus.State.ACCEPTED || s.state() == JobStatus.State.RUNNING, Topics.CONTRASTIVE_RESULTS, r -> {
                    ContrastiveResult x = EventCodec.fromJson(r, ContrastiveResult.class);
                    return nonNull(x.dataset(), x.divergence(), x.summary());
                });
    }

    @Test
    void discoveryKilledDuringAttribution() {
        killMidJob(Pipeline.DISCOVERY, "discover", discovery.jobId(), Topics.DISCOVERY_REQUESTS, EventTypes.DISCOVERY_REQUEST,
                discovery, s -> s.state() == JobStatus.State.RUNNING && s.message() != null && s.message().startsWith("IG step"),
                Topics.DISCOVERY_RESULTS, r -> {
                    DiscoveryResult x = EventCodec.fromJson(r, DiscoveryResult.class);
                    return nonNull(x.pruneScores(), x.graph(), x.result(), x.drawing());
                });
    }

    @Test
    void verifierKilledMidJob() {
        killMidJob(Pipeline.VERIFIER, "verify", verify.jobId(), Topics.VERIFY_REQUESTS, EventTypes.VERIFY_REQUEST, verify,
                s -> s.state() == JobStatus.State.ACCEPTED || s.state() == JobStatus.State.RUNNING, Topics.VERIFY_RESULTS, r -> {
                    VerifyResult x = EventCodec.fromJson(r, VerifyResult.class);
                    return nonNull(x.result(), x.report());
                });
    }

    private void killMidJob(String module, String stage, String jobId, String topic, String type, Object request,
            java.util.function.Predicate<JobStatus> midJob, String resultsTopic, Function<String, List<ArtifactRef>> refs) {
        ServiceProcess victim = pipeline.get(module);
        long t0 = System.nanoTime();
        try (StatusWatch w = StatusWatch.fromNow(stack.kafkaBootstrap());
                TopicTail results = TopicTail.fromEnd(stack.kafkaBootstrap(), resultsTopic)) {
            send(topic, type, jobId, request);
            JobStatus seen = w.await(jobId, stage, midJob, JOB, "the stage under way");
            victim.kill();
            log("%s: killed %s at '%s %s' %d ms after the request", stage, module, seen.state(), seen.message(), ms(t0));
            assertThat(w.statuses(jobId)).as("statuses of %s before the restart: killed mid-job", jobId)
                    .noneMatch(s -> stage.equals(s.stage()) && s.terminal());
            assertThat(results.catchUp(Duration.ofSeconds(20))).as("no result announced before the restart")
                    .noneMatch(r -> jobId.equals(r.key()));

            victim.start().awaitReady(Pipeline.READY);
            JobStatus done = w.awaitSucceeded(jobId, stage, JOB);
            log("%s: %s %d ms after the request (%s)", stage, done.state(), ms(t0), done.message());
            pipeline.awaitQuiet(Duration.ofMinutes(2));
            results.catchUp(Duration.ofSeconds(20));
            List<ConsumerRecord<String, byte[]>> mine = results.seen().stream().filter(r -> jobId.equals(r.key())).toList();
            assertThat(mine).as("result events of %s on %s", jobId, resultsTopic).hasSize(1);
            for (ArtifactRef ref : refs.apply(TopicTail.text(mine.get(0)))) {
                assertThat(ref.bucket()).isEqualTo(runStore.bucket());
                Artifacts.verify(runStore, ref);
            }
            assertThat(w.statuses(jobId)).as("no FAILED status for %s", jobId).noneMatch(s -> s.state() == JobStatus.State.FAILED);
        }
        assertThat(Artifacts.jobDigests(runStore, jobId)).as("objects under jobs/%s/ after the kill vs. the reference run", jobId)
                .isEqualTo(reference.get(jobId));
    }

    private static List<ArtifactRef> nonNull(ArtifactRef... refs) {
        return java.util.Arrays.stream(refs).filter(java.util.Objects::nonNull).toList();
    }

    static void send(String topic, String type, String key, Object event) {
        TestKafka.send(stack.kafkaBootstrap(), topic, key, type, EventCodec.toJson(event));
    }

    static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    static void log(String fmt, Object... args) {
        System.out.printf("[system-tests] " + fmt + "%n", args);
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
