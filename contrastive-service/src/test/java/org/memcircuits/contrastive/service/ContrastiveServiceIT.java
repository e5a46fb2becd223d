package org.memcircuits.contrastive.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.ContrastiveRequest;
import org.memcircuits.contracts.ContrastiveResult;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.ScoreRequest;
import org.memcircuits.contracts.ScoreResult;
import org.memcircuits.contracts.ScoreStats;
import org.memcircuits.contracts.Topics;
import org.memcircuits.memorization.MemorizationScorer;
import org.memcircuits.model.Batch;
import org.memcircuits.model.BuiltinModels;
import org.memcircuits.model.Checkpoint;
import org.memcircuits.model.GreedyGenerator;
import org.memcircuits.testing.LocalStackQuarkusResource;
import org.memcircuits.testing.TestKafka;

/** From a score-result event to a contrastive-dataset event, on the real broker and S3 server. */
@QuarkusTest
@QuarkusTestResource(LocalStackQuarkusResource.class)
class ContrastiveServiceIT {
    private static final int P = 12;
    private static final int G = 8;
    private static final String[] TEXTS = {
        "The old lighthouse stood at the edge of the harbour for more than two hundred years before the keepers left.",
        "Rain fell steadily over the valley, filling the narrow stream until it spilled across the meadow and the orchard.",
        "In the spring of that year the council voted to rebuild the stone bridge that had carried the market road.",
        "A small museum near the station keeps a collection of clocks, maps and letters donated by families of the town.",
        "The river freezes most winters, and children skate on the shallow bend where the current is slow and ice is thick.",
    };

    @Inject
    ArtifactStore store;

    /** Scores of ordinary texts plus texts memorized by construction (the model's own continuation). */
    private ArtifactRef scores(String name) throws Exception {
        List<MemorizationScorer.Document> docs = new ArrayList<>();
        try (Checkpoint tiny = Checkpoint.load(BuiltinModels.resolve("builtin:tiny"))) {
            GreedyGenerator gen = new GreedyGenerator(tiny.model());
            for (String t : TEXTS) {
                docs.add(new MemorizationScorer.Document(docs.size(), t));
                long[] prompt = Arrays.copyOf(tiny.tokenizer().encode(t), P);
                long[] cont = gen.generate(Batch.of(prompt), G + 4, false)[0];
                long[] all = new long[P + cont.length];
                System.arraycopy(prompt, 0, all, 0, P);
                System.arraycopy(cont, 0, all, P, cont.length);
                docs.add(new MemorizationScorer.Document(docs.size(), tiny.tokenizer().decode(all, false)));
            }
            Path out = Files.createTempFile("scores", ".jsonl");
            ScoreStats stats = new MemorizationScorer(tiny, P, G, 4).scoreToJsonl(docs.iterator(), out, d -> {});
            assertThat(stats.histogram()[G]).as("memorized by construction").isPositive();
            return store.put("inputs/" + name + ".jsonl", out, "application/x-ndjson");
        }
    }

    @Test
    void aScoreResultAskingForContrastiveYieldsADatasetEvent() throws Exception {
        ArtifactRef s = scores("scores-" + System.nanoTime());
        ScoreRequest req = new ScoreRequest(1, null, "builtin:tiny", s, "text", P, G, 4, 100, List.of("contrastive", "discover"))
                .normalized();
        ScoreResult result = new ScoreResult(1, req.jobId(), s, s, ScoreStats.empty(G), req);
        TestKafka.send(Topics.SCORE_RESULTS, req.jobId(), EventTypes.SCORE_RESULT, EventCodec.toJson(result));
        String jobId = new ContrastiveRequest(1, null, "builtin:tiny", s, null, "divergence", null, null, null, null, null,
                List.of("discover")).normalized().jobId();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                .until(() -> !TestKafka.records(Topics.CONTRASTIVE_RESULTS, jobId, Duration.ofSeconds(1)).isEmpty());
        ContrastiveResult c = EventCodec.fromJson(
                TestKafka.records(Topics.CONTRASTIVE_RESULTS, jobId, Duration.ofSeconds(1)).get(0).value(), ContrastiveResult.class);
        JsonNode dataset = EventCodec.mapper().readTree(store.read(c.dataset()));
        assertThat(dataset.get("prompts").size()).isEqualTo(c.pairs());
        assertThat(c.request().next()).containsExactly("discover");
        assertThat(c.divergence()).isNotNull();
        JsonNode summary = EventCodec.mapper().readTree(store.read(c.summary()));
        assertThat(summary.has("filters")).isTrue();
        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("circuits_contrastive_pairs_total", "circuits_contrastive_samples_total");
    }

    @Test
    void anInvalidRequestIsDeadLetteredNamingTheField() throws Exception {
        ArtifactRef s = scores("bad-" + System.nanoTime());
        ContrastiveRequest bad = new ContrastiveRequest(1, null, "builtin:tiny", s, null, "sideways", null, null, null, null,
                null, null);
        String key = "bad-" + System.nanoTime();
        TestKafka.send(Topics.CONTRASTIVE_REQUESTS, key, EventTypes.CONTRASTIVE_REQUEST, EventCodec.toJson(bad));
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> TestKafka.records(Topics.deadLetter(Topics.CONTRASTIVE_REQUESTS), key, Duration.ofSeconds(1)).stream()
                        .anyMatch(x -> String.valueOf(TestKafka.header(x, "dead-letter-reason")).contains("mode")));
    }
}
