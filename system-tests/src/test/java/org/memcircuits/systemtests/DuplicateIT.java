package org.memcircuits.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
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
import org.memcircuits.contracts.DiscoveryParams;
import org.memcircuits.contracts.DiscoveryRequest;
import org.memcircuits.contracts.DiscoveryResult;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.JobStatus;
import org.memcircuits.contracts.ScoreRequest;
import org.memcircuits.contracts.ScoreResult;
import org.memcircuits.contracts.Topics;
import org.memcircuits.testing.ConsumerGroups;
import org.memcircuits.testing.LocalStack;
import org.memcircuits.testing.StatusWatch;
import org.memcircuits.testing.TestKafka;
import org.memcircuits.testing.TopicTail;

/**
 * The same request twice, as the very same record delivered twice and as two submissions (two records, two event ids):
 * one job, one set of artifacts, one result event. Done for the scorer (sharded, merged) and for discovery.
 */
class DuplicateIT {
    private static LocalStack stack;
    private static Scenario scenario;
    private static ArtifactStore store;
    private static Pipeline pipeline;

    @BeforeAll
    static void start() {
        stack = LocalStack.get();
        scenario = Scenario.start(stack, "dup", List.of(Pipeline.SCORER, Pipeline.DISCOVERY));
        store = scenario.store();
        pipeline = scenario.pipeline();
    }

    @AfterAll
    static void stop() {
        if (scenario != null) {
            scenario.close();
        }
    }

    @Test
    void scoreRequestDeliveredTwice() {
        scoreTwice("delivered", true);
    }

    @Test
    void scoreRequestSubmittedTwice() {
        scoreTwice("submitted", false);
    }

    @Test
    void discoveryRequestDeliveredTwice() {
        discoverTwice("delivered", true);
    }

    @Test
    void discoveryRequestSubmittedTwice() {
        discoverTwice("submitted", false);
    }

    private void scoreTwice(String name, boolean sameRecord) {
        ArtifactRef corpus = Fixtures.putText(store, "inputs/dup-" + name + ".jsonl", Fixtures.jsonl(Fixtures.plain(12)),
                "application/x-ndjson");
        ScoreRequest req = new ScoreRequest(1, null, Fixtures.MODEL, corpus, "text", Fixtures.P, Fixtures.G, 2, 4, null).normalized();
        twice(req.jobId(), "score", Topics.SCORE_REQUESTS, "scorer-planner", EventTypes.SCORE_REQUEST, EventCodec.toJson(req),
                sameRecord, Topics.SCORE_RESULTS, json -> {
                    ScoreResult r = EventCodec.fromJson(json, ScoreResult.class);
                    return List.of(r.scores(), r.summary());
                });
        TreeSet<String> expected = new TreeSet<>(List.of("score/scores.jsonl", "score/summary.json", "score/result-announced"));
        for (int i = 0; i < 3; i++) {
            expected.add(String.format("score/shards/%05d.jsonl", i));
            expected.add(String.format("score/shards/%05d.jsonl.stats.json", i));
        }
        assertThat(Artifacts.jobDigests(store, req.jobId()).keySet()).as("objects of %s", req.jobId())
                .containsExactlyElementsOf(expected);
    }

    private void discoverTwice(String name, boolean sameRecord) {
        ArtifactRef ds = Fixtures.putText(store, "inputs/dup-" + name + ".json", Fixtures.dataset(8 + (sameRecord ? 0 : 1)),
                "application/json");
        DiscoveryRequest req = new DiscoveryRequest(1, null, Fixtures.MODEL, ds,
                new DiscoveryParams(2, null, null, null, null, null, null, null, 0.5, null, 4, null, null, null, null), null).normalized();
        twice(req.jobId(), "discover", Topics.DISCOVERY_REQUESTS, "discovery", EventTypes.DISCOVERY_REQUEST, EventCodec.toJson(req),
                sameRecord, Topics.DISCOVERY_RESULTS, json -> {
                    DiscoveryResult r = EventCodec.fromJson(json, DiscoveryResult.class);
                    return List.of(r.pruneScores(), r.graph(), r.result(), r.drawing());
                });
        assertThat(Artifacts.jobDigests(store, req.jobId()).keySet()).as("objects of %s", req.jobId()).containsExactly(
                "discover/circuit.svg", "discover/graph.json", "discover/prune_scores.safetensors", "discover/result-announced",
                "discover/result.json");
    }

    private void twice(String jobId, String stage, String topic, String group, String type, String json, boolean sameRecord,
            String resultsTopic, java.util.function.Function<String, List<ArtifactRef>> refs) {
        long t0 = System.nanoTime();
        try (StatusWatch w = StatusWatch.fromNow(stack.kafkaBootstrap());
                TopicTail results = TopicTail.fromEnd(stack.kafkaBootstrap(), resultsTopic);
                ConsumerGroups groups = new ConsumerGroups(stack.kafkaBootstrap());
                KafkaProducer<byte[], byte[]> producer = TestKafka.rawProducer(stack.kafkaBootstrap())) {
            List<RecordMetadata> sent = new ArrayList<>();
            ProducerRecord<byte[], byte[]> first = record(topic, jobId, type, json);
            sent.add(producer.send(first).get(30, TimeUnit.SECONDS));
            sent.add(producer.send(sameRecord ? first : record(topic, jobId, type, json)).get(30, TimeUnit.SECONDS));
            // both records consumed (committed), and the job finished
            for (RecordMetadata m : sent) {
                groups.awaitCommitted(group, topic, Map.of(m.partition(), m.offset() + 1), Duration.ofMinutes(5));
            }
            w.awaitSucceeded(jobId, stage, Duration.ofMinutes(5));
            pipeline.awaitQuiet(Duration.ofMinutes(2));
            results.catchUp(Duration.ofSeconds(20));
            List<ConsumerRecord<String, byte[]>> mine = results.seen().stream().filter(r -> jobId.equals(r.key())).toList();
            assertThat(mine).as("result events of %s", jobId).hasSize(1);
            for (ArtifactRef ref : refs.apply(TopicTail.text(mine.get(0)))) {
                Artifacts.verify(store, ref);
            }
            List<JobStatus> statuses = w.statuses(jobId);
            assertThat(statuses).as("statuses of %s", jobId).noneMatch(s -> s.state() == JobStatus.State.FAILED);
            KillAndRestartIT.log("duplicate %s %s: %d ms; statuses %s", stage, sameRecord ? "delivered twice" : "submitted twice",
                    KillAndRestartIT.ms(t0), statuses.stream().map(s -> s.state() + (s.message() == null ? "" : " " + s.message()))
                            .filter(s -> !s.startsWith("RUNNING")).toList());
        } catch (Exception e) {
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String key, String type, String json) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                json.getBytes(StandardCharsets.UTF_8));
        TestKafka.addCloudEventHeaders(r, type, UUID.randomUUID().toString());
        return r;
    }
}
