package org.memcircuits.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.ScoreRecord;
import org.memcircuits.contracts.ScoreRequest;
import org.memcircuits.contracts.ScoreResult;
import org.memcircuits.contracts.Topics;
import org.memcircuits.memorization.MemorizationScorer;
import org.memcircuits.model.BuiltinModels;
import org.memcircuits.model.Checkpoint;
import org.memcircuits.testing.LocalStack;
import org.memcircuits.testing.LocalStackQuarkusResource;
import org.memcircuits.testing.TestKafka;

/**
 * The scorer against a real Kafka broker and a real S3 server: a submitted job yields the scores
 * artifact and one result event; a malformed event is dead-lettered with its reason while the
 * service goes on; the same request delivered twice yields one artifact and one result event.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackQuarkusResource.class)
class ScorerServiceIT {
    private static final List<String> TEXTS = List.of(
            "The old lighthouse stood at the edge of the harbour for more than two hundred years before the keepers left.",
            "Too short.",
            "Rain fell steadily over the valley, filling the narrow stream until it spilled across the meadow and the orchard.",
            "In the spring of that year the council voted to rebuild the stone bridge that had carried the market road.",
            "A small museum near the station keeps a collection of clocks, maps and letters donated by families of the town.",
            "The river freezes most winters, and children skate on the shallow bend where the current is slow and ice is thick.",
            "Farmers in the region grow barley, potatoes and apples, and many sell their harvest at the Saturday market.",
            "The expedition left the coast in late autumn and reached the foot of the mountains after three weeks of travel.");

    @Inject
    ArtifactStore store;

    private static void send(String topic, String key, String value) {
        TestKafka.send(topic, key, EventTypes.SCORE_REQUEST, value);
    }

    private ScoreRequest request(String name) throws Exception {
        Path corpus = Files.createTempFile("corpus", ".jsonl");
        StringBuilder b = new StringBuilder();
        for (String t : TEXTS) {
            b.append(EventCodec.mapper().createObjectNode().put("text", t)).append('\n');
        }
        b.append("{\"title\":\"no text field\"}\n");
        Files.writeString(corpus, b);
        ArtifactRef ref = store.put("inputs/" + name + ".jsonl", corpus, "application/x-ndjson");
        return new ScoreRequest(1, null, "builtin:tiny", ref, "text", 12, 6, 3, 4, null).normalized();
    }

    private static List<ConsumerRecord<String, String>> records(String topic, String key, Duration wait) {
        return TestKafka.records(topic, key, wait);
    }

    private static List<ScoreResult> results(String jobId, Duration wait) {
        return records(Topics.SCORE_RESULTS, jobId, wait).stream()
                .map(r -> EventCodec.fromJson(r.value(), ScoreResult.class)).toList();
    }

    @Test
    void submittedJobProducesScoresAndExactlyOneResultEvenWhenDeliveredTwice() throws Exception {
        ScoreRequest req = request("job-" + UUID.randomUUID());
        send(Topics.SCORE_REQUESTS, req.jobId(), EventCodec.toJson(req));
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                .until(() -> !results(req.jobId(), Duration.ofSeconds(1)).isEmpty());
        ScoreResult result = results(req.jobId(), Duration.ofSeconds(1)).get(0);

        // 9 records: 1 too short, 1 without a text field, 7 scored, in corpus order across 3 shards.
        assertThat(result.stats().documents()).isEqualTo(9);
        assertThat(result.stats().scored()).isEqualTo(7);
        assertThat(result.stats().skippedShort()).isEqualTo(1);
        assertThat(result.stats().skippedInvalid()).isEqualTo(1);
        List<ScoreRecord> got = new String(store.read(result.scores()), StandardCharsets.UTF_8).lines()
                .map(l -> EventCodec.fromJson(l, ScoreRecord.class)).toList();
        assertThat(got).extracting(ScoreRecord::document).containsExactly(0L, 2L, 3L, 4L, 5L, 6L, 7L);

        // Same numbers as the scorer run locally (the command-line path).
        List<ScoreRecord> local = new ArrayList<>();
        try (Checkpoint ckpt = Checkpoint.load(BuiltinModels.resolve("builtin:tiny"))) {
            List<MemorizationScorer.Document> docs = new ArrayList<>();
            for (int i = 0; i < TEXTS.size(); i++) {
                docs.add(new MemorizationScorer.Document(i, TEXTS.get(i)));
            }
            new MemorizationScorer(ckpt, 12, 6, 3).score(docs.iterator(), local::add, d -> {});
        }
        assertThat(got).hasSameSizeAs(local);
        for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i).completion()).containsExactly(local.get(i).completion());
            assertThat(got.get(i).memorizationScore()).isEqualTo(local.get(i).memorizationScore());
        }

        // Delivered again: the finished job is recognised (its "already finished" status proves the
        // redelivery was handled); no second artifact, no second result.
        send(Topics.SCORE_REQUESTS, req.jobId(), EventCodec.toJson(req));
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> records(Topics.STATUS, req.jobId(), Duration.ofSeconds(1)).stream()
                        .anyMatch(r -> r.value().contains("already finished")));
        assertThat(results(req.jobId(), Duration.ofSeconds(2))).hasSize(1);
        assertThat(store.list("jobs/" + req.jobId() + "/score/").stream().filter(k -> k.endsWith("scores.jsonl")))
                .hasSize(1);
    }

    @Test
    void corpusUploadedByAPlainS3ClientIsScoredAndWrongReferencesSayWhatIsWrong() throws Exception {
        // As `aws s3 cp` or s3cmd would upload it: no sha256 metadata, nothing but the bytes.
        StringBuilder b = new StringBuilder();
        for (String t : TEXTS) {
            b.append(EventCodec.mapper().createObjectNode().put("text", t)).append('\n');
        }
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        String key = "inputs/foreign-" + UUID.randomUUID() + ".jsonl";
        LocalStack s = LocalStack.get();
        try (MinioClient plain = MinioClient.builder().endpoint(s.s3Endpoint()).credentials(s.s3AccessKey(), s.s3SecretKey())
                .region(s.s3Region()).build()) {
            plain.putObject(PutObjectArgs.builder().bucket(store.bucket()).object(key)
                    .stream(new java.io.ByteArrayInputStream(bytes), bytes.length, -1).contentType("application/x-ndjson").build());
        }
        assertThat(store.find(key)).as("no digest metadata on the foreign object").isEmpty();
        ArtifactRef ref = new ArtifactRef(store.uri(key), org.memcircuits.contracts.JobIds.sha256(bytes), bytes.length,
                "application/x-ndjson");
        ScoreRequest req = new ScoreRequest(1, null, "builtin:tiny", ref, "text", 12, 6, 3, 4, null).normalized();
        send(Topics.SCORE_REQUESTS, req.jobId(), EventCodec.toJson(req));

        ArtifactRef wrongSha = new ArtifactRef(ref.uri(), "c".repeat(64), ref.size(), ref.mediaType());
        ScoreRequest mismatch = new ScoreRequest(1, null, "builtin:tiny", wrongSha, "text", 12, 6, 3, 4, null).normalized();
        send(Topics.SCORE_REQUESTS, mismatch.jobId(), EventCodec.toJson(mismatch));
        ArtifactRef absent = new ArtifactRef(store.uri(key + ".missing"), ref.sha256(), ref.size(), ref.mediaType());
        ScoreRequest missing = new ScoreRequest(1, null, "builtin:tiny", absent, "text", 12, 6, 3, 4, null).normalized();
        send(Topics.SCORE_REQUESTS, missing.jobId(), EventCodec.toJson(missing));

        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                .until(() -> !results(req.jobId(), Duration.ofSeconds(1)).isEmpty());
        assertThat(results(req.jobId(), Duration.ofSeconds(1)).get(0).stats().scored()).isEqualTo(7);
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> failed(mismatch.jobId()).contains("sha256 mismatch") && failed(missing.jobId()).contains("not found"));
        assertThat(failed(mismatch.jobId())).contains("corpus: ", ref.sha256(), "c".repeat(64));
    }

    /** The FAILED status message of a job, or "" while there is none. */
    private static String failed(String jobId) {
        return records(Topics.STATUS, jobId, Duration.ofSeconds(1)).stream().map(r -> r.value())
                .filter(v -> v.contains("\"FAILED\"")).findFirst().orElse("");
    }

    @Test
    void malformedEventIsDeadLetteredWithItsReasonAndTheServiceGoesOn() throws Exception {
        String badKey = "bad-" + UUID.randomUUID();
        send(Topics.SCORE_REQUESTS, badKey, "{\"schemaVersion\":1,\"modle\":\"builtin:tiny\"}");
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> !records(Topics.deadLetter(Topics.SCORE_REQUESTS), badKey, Duration.ofSeconds(1)).isEmpty());
        ConsumerRecord<String, String> dead = records(Topics.deadLetter(Topics.SCORE_REQUESTS), badKey, Duration.ofSeconds(1)).get(0);
        Header reason = dead.headers().lastHeader("dead-letter-reason");
        assertThat(reason).isNotNull();
        assertThat(new String(reason.value(), StandardCharsets.UTF_8)).contains("unknown field 'modle'");

        // Out-of-range parameters are refused up front, naming the field.
        ScoreRequest tooLong = new ScoreRequest(1, null, "builtin:tiny", request("x").corpus(), "text", 3000, 6, 3, 4, null);
        send(Topics.SCORE_REQUESTS, "range-" + badKey, EventCodec.toJson(tooLong));
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> records(Topics.deadLetter(Topics.SCORE_REQUESTS), "range-" + badKey, Duration.ofSeconds(1))
                        .stream().anyMatch(r -> new String(r.headers().lastHeader("dead-letter-reason").value(),
                                StandardCharsets.UTF_8).contains("promptTokens")));

        // A request near the broker's 1 MB limit is refused before parsing; its dead-letter record
        // carries the payload's digest and size instead of the payload, so it fits (it used to
        // carry payload and reason, over 1 MB, and stop the channel for good).
        String hugeKey = "huge-" + badKey;
        send(Topics.SCORE_REQUESTS, hugeKey, "{\"schemaVersion\":1,\"model\":\"" + "m".repeat(900 * 1024) + "\"}");
        ConsumerRecord<String, String> huge = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> records(Topics.deadLetter(Topics.SCORE_REQUESTS), hugeKey, Duration.ofSeconds(1)).stream()
                        .findFirst().orElse(null), java.util.Objects::nonNull);
        assertThat(TestKafka.header(huge, "dead-letter-reason")).contains("more than the limit of 262144").hasSizeLessThan(4097);
        assertThat(TestKafka.header(huge, "dead-letter-payload-size")).isEqualTo(Integer.toString(900 * 1024 + 30));
        assertThat(huge.value()).isNull();

        // Confinement: another bucket, or a path on the replica, is refused naming what is allowed.
        ScoreRequest good0 = request("confined-" + UUID.randomUUID());
        ArtifactRef elsewhere = new ArtifactRef("s3://someone-elses-bucket/" + good0.corpus().key(), good0.corpus().sha256(),
                good0.corpus().size(), good0.corpus().mediaType());
        ScoreRequest otherBucket = new ScoreRequest(1, null, "builtin:tiny", elsewhere, "text", 12, 6, 3, 4, null).normalized();
        send(Topics.SCORE_REQUESTS, otherBucket.jobId(), EventCodec.toJson(otherBucket));
        ScoreRequest probe = new ScoreRequest(1, null, "/etc", good0.corpus(), "text", 12, 6, 3, 4, null).normalized();
        send(Topics.SCORE_REQUESTS, probe.jobId(), EventCodec.toJson(probe));
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> failed(otherBucket.jobId()).contains("is not one this service may read")
                        && failed(probe.jobId()).contains("not under a model root"));

        // The next good job still completes.
        ScoreRequest good = request("after-bad-" + UUID.randomUUID());
        send(Topics.SCORE_REQUESTS, good.jobId(), EventCodec.toJson(good));
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                .until(() -> !results(good.jobId(), Duration.ofSeconds(1)).isEmpty());

        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("circuits_scorer_documents_scored_total", "circuits_scorer_dead_lettered_total",
                "circuits_stage_duration_seconds");
    }
}
