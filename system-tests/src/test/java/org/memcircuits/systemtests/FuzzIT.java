package org.memcircuits.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.JobIds;
import org.memcircuits.contracts.ScoreRequest;
import org.memcircuits.contracts.Topics;
import org.memcircuits.contracts.VerifyResult;
import org.memcircuits.model.Checkpoint;
import org.memcircuits.testing.LocalStack;
import org.memcircuits.testing.StatusWatch;
import org.memcircuits.testing.TestKafka;
import org.memcircuits.testing.TopicTail;

/**
 * Fuzzing every consumed topic with malformed events (seeded: {@code -Dsystemtests.fuzz.seed}, default 14; count per
 * topic {@code -Dsystemtests.fuzz.perTopic}, default 36, so 324 in all): each must come out as exactly one dead-letter
 * record on {@code <topic>.dlq} naming its topic, partition and offset, keeping its key and headers and its payload (or,
 * too large, the payload's digest and size); afterwards every service is still ready and a valid job runs through all
 * four stages.
 */
class FuzzIT {
    private static final long SEED = Long.getLong("systemtests.fuzz.seed", 14L);
    private static final int PER_TOPIC = Integer.getInteger("systemtests.fuzz.perTopic", 36);
    private static final int MAX_REASON = 16 * 1024; // "a few KB": 4096 characters, up to 3 bytes each
    /** No new dead letter for this long: the missing ones are not coming. */
    private static final Duration STALL = Duration.ofSeconds(Integer.getInteger("systemtests.fuzz.stallSeconds", 90));
    private static LocalStack stack;
    private static Scenario scenario;
    private static ArtifactStore store;
    private static Pipeline pipeline;

    @BeforeAll
    static void start() {
        stack = LocalStack.get();
        scenario = Scenario.start(stack, "fuzz", Pipeline.ALL);
        store = scenario.store();
        pipeline = scenario.pipeline();
    }

    @AfterAll
    static void stop() {
        if (scenario != null) {
            scenario.close();
        }
    }

    private record Sent(Fuzz.Event event, int partition, long offset) {
        String id() {
            return event.topic() + "/" + partition + "@" + offset + " (" + event.kind() + ")";
        }
    }

    @Test
    void everyMalformedEventIsDeadLetteredAndTheServicesCarryOn() throws Exception {
        List<Fuzz.Event> events = new Fuzz(SEED, store.bucket()).generate(PER_TOPIC);
        Map<String, TopicTail> dlqs = new LinkedHashMap<>();
        for (String t : Fuzz.TOPICS) {
            dlqs.put(t, TopicTail.fromEnd(stack.kafkaBootstrap(), Topics.deadLetter(t)));
        }
        // where each source partition ended before the fuzz: dead letters of older records (left by an earlier run) are
        // not this run's business
        Map<String, Map<Integer, Long>> before = new HashMap<>();
        try (org.memcircuits.testing.ConsumerGroups g = new org.memcircuits.testing.ConsumerGroups(stack.kafkaBootstrap())) {
            for (String t : Fuzz.TOPICS) {
                before.put(t, g.endOffsets(t));
            }
        }
        List<Sent> sent = new ArrayList<>();
        long t0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = TestKafka.rawProducer(stack.kafkaBootstrap())) {
            for (Fuzz.Event e : events) {
                ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(e.topic(), e.key(), e.value());
                e.headers().forEach((k, v) -> r.headers().add(k, v));
                RecordMetadata m = producer.send(r).get(60, TimeUnit.SECONDS);
                sent.add(new Sent(e, m.partition(), m.offset()));
            }
        }
        KillAndRestartIT.log("fuzz: %d malformed events (seed %d) sent in %d ms", sent.size(), SEED, KillAndRestartIT.ms(t0));
        assertThat(sent).hasSizeGreaterThanOrEqualTo(300);

        // wait for every dead letter (bounded), then for the consumers to have committed past everything sent
        Map<String, Sent> expected = new HashMap<>();
        for (Sent s : sent) {
            expected.put(s.event().topic() + "/" + s.partition() + "/" + s.offset(), s);
        }
        // Wait until every dead letter is there, or none has come for STALL (the rest are then reported missing), at
        // most 8 minutes in all; then for the consumers to have committed past everything sent.
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(8);
        long lastProgress = System.nanoTime();
        int lastCount = -1;
        Map<String, List<ConsumerRecord<String, byte[]>>> found = new HashMap<>();
        while (System.nanoTime() < deadline && System.nanoTime() - lastProgress < STALL.toNanos()) {
            found.clear();
            for (var e : dlqs.entrySet()) {
                e.getValue().poll(Duration.ofMillis(300));
                for (ConsumerRecord<String, byte[]> r : e.getValue().seen()) {
                    String k = TopicTail.header(r, "dead-letter-topic") + "/" + TopicTail.header(r, "dead-letter-partition") + "/"
                            + TopicTail.header(r, "dead-letter-offset");
                    found.computeIfAbsent(k, x -> new ArrayList<>()).add(r);
                }
            }
            if (found.keySet().containsAll(expected.keySet())) {
                break;
            }
            if (found.size() != lastCount) {
                lastCount = found.size();
                lastProgress = System.nanoTime();
            }
        }
        KillAndRestartIT.log("fuzz: %d of %d dead letters after %d ms", expected.keySet().stream().filter(found::containsKey).count(),
                expected.size(), KillAndRestartIT.ms(t0));
        List<String> problems = new ArrayList<>();
        boolean allFound = found.keySet().containsAll(expected.keySet());
        try {
            pipeline.awaitQuiet(allFound ? Duration.ofMinutes(2) : Duration.ofSeconds(20));
        } catch (AssertionError e) {
            problems.add("consumers did not commit past the fuzz events: " + e.getMessage());
        }
        for (TopicTail t : dlqs.values()) {
            t.catchUp(Duration.ofSeconds(30));
        }
        found.clear();
        for (var e : dlqs.entrySet()) {
            for (ConsumerRecord<String, byte[]> r : e.getValue().seen()) {
                String k = TopicTail.header(r, "dead-letter-topic") + "/" + TopicTail.header(r, "dead-letter-partition") + "/"
                        + TopicTail.header(r, "dead-letter-offset");
                if (!expected.containsKey(k) && isNew(before, r)) {
                    problems.add("unexpected dead letter on " + r.topic() + " for " + k);
                }
                found.computeIfAbsent(k, x -> new ArrayList<>()).add(r);
            }
        }
        Map<String, Integer> missingByKind = new java.util.TreeMap<>();
        for (var e : expected.entrySet()) {
            Sent s = e.getValue();
            List<ConsumerRecord<String, byte[]>> dl = found.getOrDefault(e.getKey(), List.of());
            if (dl.isEmpty()) {
                missingByKind.merge(s.event().topic() + " " + s.event().kind(), 1, Integer::sum);
                problems.add("no dead letter for " + s.id());
                continue;
            }
            if (dl.size() > 1) {
                problems.add(dl.size() + " dead letters for " + s.id());
            }
            check(s, dl.get(0), problems);
        }
        List<String> notReady = pipeline.notReady();
        if (!notReady.isEmpty()) {
            problems.add("not ready after the fuzz: " + notReady);
        }
        if (!problems.isEmpty()) {
            KillAndRestartIT.log("fuzz: %d problems; missing dead letters by topic and kind: %s", problems.size(), missingByKind);
            problems.stream().limit(60).forEach(p -> KillAndRestartIT.log("fuzz problem: %s", p));
        }

        // a valid job through all four stages
        String validJob = null;
        AssertionError jobFailure = null;
        if (notReady.isEmpty()) {
            try {
                validJob = runValidJob();
            } catch (AssertionError e) {
                jobFailure = e;
            }
        } else {
            jobFailure = new AssertionError("valid job not run: services not ready after the fuzz: " + notReady);
        }
        KillAndRestartIT.log("fuzz: valid job %s %s; class total %d ms", validJob, jobFailure == null ? "succeeded" : "FAILED: "
                + jobFailure.getMessage(), KillAndRestartIT.ms(t0));
        assertThat(problems).as("fuzz outcome (seed %d): %s missing by kind", SEED, missingByKind).isEmpty();
        if (jobFailure != null) {
            throw jobFailure;
        }
        assertThat(pipeline.notReady()).as("services not ready at the end").isEmpty();
    }

    private static boolean isNew(Map<String, Map<Integer, Long>> before, ConsumerRecord<String, byte[]> deadLetter) {
        try {
            String topic = TopicTail.header(deadLetter, "dead-letter-topic");
            int partition = Integer.parseInt(TopicTail.header(deadLetter, "dead-letter-partition"));
            long offset = Long.parseLong(TopicTail.header(deadLetter, "dead-letter-offset"));
            return offset >= before.getOrDefault(topic, Map.of()).getOrDefault(partition, 0L);
        } catch (RuntimeException e) {
            return true; // a dead letter without its coordinates is a problem in any case
        }
    }

    private void check(Sent s, ConsumerRecord<String, byte[]> dl, List<String> problems) {
        Fuzz.Event e = s.event();
        String key = e.key() == null ? null : new String(e.key(), StandardCharsets.UTF_8);
        if (!java.util.Objects.equals(key, dl.key())) {
            problems.add(s.id() + ": dead letter key " + dl.key() + " instead of " + key);
        }
        for (var h : e.headers().entrySet()) {
            var got = dl.headers().lastHeader(h.getKey());
            if (got == null || !Arrays.equals(got.value(), h.getValue())) {
                problems.add(s.id() + ": header " + h.getKey() + " not kept");
            }
        }
        String reason = TopicTail.header(dl, "dead-letter-reason");
        if (reason == null || reason.isBlank()) {
            problems.add(s.id() + ": no dead-letter-reason");
        } else if (dl.headers().lastHeader("dead-letter-reason").value().length > MAX_REASON) {
            problems.add(s.id() + ": dead-letter-reason of " + dl.headers().lastHeader("dead-letter-reason").value().length + " bytes");
        }
        byte[] original = e.value() == null ? new byte[0] : e.value();
        byte[] got = dl.value() == null ? new byte[0] : dl.value();
        if (got.length == 0 && original.length > 0) {
            String sha = TopicTail.header(dl, "dead-letter-payload-sha256");
            String size = TopicTail.header(dl, "dead-letter-payload-size");
            if (!JobIds.sha256(original).equals(sha) || !Integer.toString(original.length).equals(size)) {
                problems.add(s.id() + ": payload dropped without its digest/size (sha256 " + sha + ", size " + size + ")");
            }
        } else if (!Arrays.equals(original, got)) {
            problems.add(s.id() + ": dead letter value (" + got.length + " bytes) differs from the original (" + original.length + ")");
        }
    }

    /** A memorized-by-construction corpus through score, contrastive, discover and verify. */
    private String runValidJob() {
        ArtifactRef corpus;
        try (Checkpoint tiny = Fixtures.tiny()) {
            corpus = Fixtures.putText(store, "inputs/fuzz-valid.jsonl", Fixtures.jsonl(Fixtures.withMemorized(tiny, 16)),
                    "application/x-ndjson");
        }
        ScoreRequest req = new ScoreRequest(1, null, Fixtures.MODEL, corpus, "text", Fixtures.P, Fixtures.G, 4, 8,
                List.of("contrastive", "discover", "verify")).normalized();
        try (StatusWatch w = StatusWatch.fromNow(stack.kafkaBootstrap());
                TopicTail verified = TopicTail.fromEnd(stack.kafkaBootstrap(), Topics.VERIFY_RESULTS)) {
            long t0 = System.nanoTime();
            TestKafka.send(stack.kafkaBootstrap(), Topics.SCORE_REQUESTS, req.jobId(), EventTypes.SCORE_REQUEST, EventCodec.toJson(req));
            w.awaitSucceeded(req.jobId(), "score", Duration.ofMinutes(4));
            for (String stage : List.of("contrastive", "discover", "verify")) {
                var s = w.await(null, stage, x -> x.terminal(), Duration.ofMinutes(4), "a terminal status");
                if (s.state() != org.memcircuits.contracts.JobStatus.State.SUCCEEDED) {
                    throw new AssertionError("valid job: stage " + stage + " " + s.state() + ": " + s.message());
                }
                KillAndRestartIT.log("fuzz: valid job stage %s succeeded after %d ms (%s)", stage, KillAndRestartIT.ms(t0), s.message());
            }
            ConsumerRecord<String, byte[]> r = verified.await(x -> true, Duration.ofMinutes(1), "the verify result");
            VerifyResult v = EventCodec.fromJson(TopicTail.text(r), VerifyResult.class);
            Artifacts.verify(store, v.result());
            Artifacts.verify(store, v.report());
        }
        return req.jobId();
    }
}
