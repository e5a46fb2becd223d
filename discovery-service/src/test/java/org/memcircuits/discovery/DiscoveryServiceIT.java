package org.memcircuits.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.ContrastiveRequest;
import org.memcircuits.contracts.ContrastiveResult;
import org.memcircuits.contracts.DiscoveryParams;
import org.memcircuits.contracts.DiscoveryRequest;
import org.memcircuits.contracts.DiscoveryResult;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.JobStatus;
import org.memcircuits.contracts.Topics;
import org.memcircuits.testing.LocalStackQuarkusResource;
import org.memcircuits.testing.TestKafka;

/** Discovery against the real broker and S3 server, on the built-in tiny model. */
@QuarkusTest
@QuarkusTestResource(LocalStackQuarkusResource.class)
class DiscoveryServiceIT {
    @Inject
    ArtifactStore store;

    private ArtifactRef dataset(String name) {
        StringBuilder b = new StringBuilder("{\"prompts\":[");
        String[] words = {"river", "bridge", "market", "castle", "harbour", "garden", "tower", "forest"};
        for (int i = 0; i < words.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"clean\":\"The old ").append(words[i]).append(" stood near the\",")
                    .append("\"corrupt\":\"The old ").append(words[(i + 3) % words.length]).append(" stood near the\",")
                    .append("\"answers\":[\" town\"],\"wrong_answers\":[\" sea\"]}");
        }
        return store.put("inputs/" + name + ".json", b.append("]}").toString().getBytes(StandardCharsets.UTF_8), "application/json");
    }

    private static DiscoveryParams params(String loss) {
        return new DiscoveryParams(2, null, loss, null, null, null, null, null, 0.5, null, 3, null, null, null, null);
    }

    @Test
    void aJobProducesScoresGraphAndResultWithProgressOnTheStatusTopic() throws Exception {
        DiscoveryRequest r = new DiscoveryRequest(1, null, "builtin:tiny", dataset("ds-" + System.nanoTime()), params(null), null)
                .normalized();
        TestKafka.send(Topics.DISCOVERY_REQUESTS, r.jobId(), EventTypes.DISCOVERY_REQUEST, EventCodec.toJson(r));
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                .until(() -> !TestKafka.records(Topics.DISCOVERY_RESULTS, r.jobId(), Duration.ofSeconds(1)).isEmpty());
        List<DiscoveryResult> results = TestKafka.records(Topics.DISCOVERY_RESULTS, r.jobId(), Duration.ofSeconds(1)).stream()
                .map(x -> EventCodec.fromJson(x.value(), DiscoveryResult.class)).toList();
        assertThat(results).hasSize(1);
        DiscoveryResult d = results.get(0);
        assertThat(d.faithfulness()).isGreaterThanOrEqualTo(0.85);
        JsonNode graph = EventCodec.mapper().readTree(store.read(d.graph()));
        assertThat(graph.get("edges").size()).isEqualTo(110);
        assertThat(new String(store.read(d.drawing()), StandardCharsets.UTF_8)).startsWith("<svg");
        assertThat(store.read(d.pruneScores()).length).isEqualTo((int) d.pruneScores().size());

        List<JobStatus> progress = TestKafka.records(Topics.STATUS, r.jobId(), Duration.ofSeconds(1)).stream()
                .map(x -> EventCodec.fromJson(x.value(), JobStatus.class)).toList();
        assertThat(progress).extracting(JobStatus::state).contains(JobStatus.State.RUNNING, JobStatus.State.SUCCEEDED);
        assertThat(progress).anySatisfy(s -> assertThat(s.message()).startsWith("IG step"));

        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("circuits_discovery_ig_steps_total", "circuits_discovery_search_evaluations_total",
                "circuits_discovery_edges_scored_total");
    }

    @Test
    void aContrastiveResultWhoseRequestListsDiscoverNextIsDiscoveredAndPassesTheRestOn() {
        ArtifactRef ds = dataset("chain-" + System.nanoTime());
        ArtifactRef scores = store.put("inputs/scores-" + System.nanoTime() + ".jsonl", "{}\n".getBytes(StandardCharsets.UTF_8),
                "application/x-ndjson");
        ContrastiveRequest chained = new ContrastiveRequest(1, "c-" + System.nanoTime(), "builtin:tiny", scores, null, null, null,
                null, null, null, null, List.of("discover", "verify"));
        ContrastiveRequest notForUs = new ContrastiveRequest(1, "c-" + System.nanoTime(), "builtin:tiny", scores, null, null, null,
                null, null, null, null, List.of("verify"));
        TestKafka.send(Topics.CONTRASTIVE_RESULTS, notForUs.jobId(), EventTypes.CONTRASTIVE_RESULT,
                EventCodec.toJson(new ContrastiveResult(1, notForUs.jobId(), ds, null, null, 8, notForUs)));
        TestKafka.send(Topics.CONTRASTIVE_RESULTS, chained.jobId(), EventTypes.CONTRASTIVE_RESULT,
                EventCodec.toJson(new ContrastiveResult(1, chained.jobId(), ds, null, null, 8, chained)));

        String jobId = new DiscoveryRequest(1, null, "builtin:tiny", ds, null, List.of("verify")).normalized().jobId();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                .until(() -> !TestKafka.records(Topics.DISCOVERY_RESULTS, jobId, Duration.ofSeconds(1)).isEmpty());
        List<DiscoveryResult> results = TestKafka.records(Topics.DISCOVERY_RESULTS, jobId, Duration.ofSeconds(1)).stream()
                .map(x -> EventCodec.fromJson(x.value(), DiscoveryResult.class)).toList();
        assertThat(results).hasSize(1);
        assertThat(results.get(0).request().next()).containsExactly("verify");
        assertThat(results.get(0).request().dataset()).isEqualTo(ds);
        // The result whose request did not list discover (sent first) was consumed without a job.
        assertThat(TestKafka.records(Topics.DISCOVERY_RESULTS, null, Duration.ofSeconds(3)).stream()
                .map(x -> EventCodec.fromJson(x.value(), DiscoveryResult.class)).filter(x -> ds.equals(x.request().dataset())))
                .hasSize(1);
    }

    @Test
    void anInvalidRequestIsDeadLetteredNamingTheField() {
        DiscoveryRequest bad = new DiscoveryRequest(1, null, "builtin:tiny", dataset("bad-" + System.nanoTime()), params("huge"),
                null);
        String key = "bad-" + System.nanoTime();
        TestKafka.send(Topics.DISCOVERY_REQUESTS, key, EventTypes.DISCOVERY_REQUEST, EventCodec.toJson(bad));
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> TestKafka.records(Topics.deadLetter(Topics.DISCOVERY_REQUESTS), key, Duration.ofSeconds(1)).stream()
                        .anyMatch(x -> String.valueOf(TestKafka.header(x, "dead-letter-reason")).contains("params.loss")));
    }
}
