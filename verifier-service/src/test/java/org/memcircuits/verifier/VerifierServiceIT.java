package org.memcircuits.verifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.circuit.DiscoveryRunner;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.DiscoveryParams;
import org.memcircuits.contracts.DiscoveryRequest;
import org.memcircuits.contracts.DiscoveryResult;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.Topics;
import org.memcircuits.contracts.VerifyRequest;
import org.memcircuits.contracts.VerifyResult;
import org.memcircuits.model.BuiltinModels;
import org.memcircuits.model.Checkpoint;
import org.memcircuits.testing.LocalStackQuarkusResource;
import org.memcircuits.testing.TestKafka;

/** Verification against the real broker and S3 server, on the built-in tiny model. */
@QuarkusTest
@QuarkusTestResource(LocalStackQuarkusResource.class)
class VerifierServiceIT {
    @Inject
    ArtifactStore store;

    /** A dataset and prune scores computed on it (discovery without search), both stored. */
    private ArtifactRef[] inputs(String name) throws Exception {
        String[] words = {"river", "bridge", "market", "castle", "harbour", "garden", "tower", "forest", "valley", "station"};
        StringBuilder b = new StringBuilder("{\"prompts\":[");
        for (int i = 0; i < 6; i++) {
            b.append(i == 0 ? "" : ",").append("{\"clean\":\"The old ").append(words[i]).append(" stood near the\",")
                    .append("\"corrupt\":\"The new ").append(words[i + 4]).append(" was built by the\",")
                    .append("\"answers\":[\" town\"],\"wrong_answers\":[\" sea\"]}");
        }
        Path dir = Files.createTempDirectory("verify-inputs");
        Path ds = dir.resolve("ds.json");
        Files.writeString(ds, b.append("]}"));
        try (Checkpoint tiny = Checkpoint.load(BuiltinModels.resolve("builtin:tiny"))) {
            DiscoveryRunner.run(tiny, "builtin:tiny", ds, new DiscoveryParams(2, null, null, null, null, null, null, null, 0.5, null,
                    3, null, null, null, false), dir.resolve("disc"), new DiscoveryRunner.Progress() {
                        @Override
                        public void attribution(int b1, int b2, int s1, int s2) {}

                        @Override
                        public void evaluation(org.memcircuits.circuit.MinimalCircuitSearch.Evaluation e) {}
                    });
        }
        return new ArtifactRef[] {store.put("inputs/" + name + "-ds.json", ds, "application/json"),
            store.put("inputs/" + name + "-scores.safetensors", dir.resolve("disc/prune_scores.safetensors"), "application/octet-stream")};
    }

    @Test
    void aRequestYieldsResultAndReport() throws Exception {
        ArtifactRef[] in = inputs("v" + System.nanoTime());
        VerifyRequest r = new VerifyRequest(1, null, "builtin:tiny", in[0], in[1], List.of(0, 10, 110), null, null, "denoising",
                null, 3, null, null, null, in[0], 0.5, 3).normalized();
        TestKafka.send(Topics.VERIFY_REQUESTS, r.jobId(), EventTypes.VERIFY_REQUEST, EventCodec.toJson(r));
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                .until(() -> !TestKafka.records(Topics.VERIFY_RESULTS, r.jobId(), Duration.ofSeconds(1)).isEmpty());
        VerifyResult v = EventCodec.fromJson(TestKafka.records(Topics.VERIFY_RESULTS, r.jobId(), Duration.ofSeconds(1)).get(0).value(),
                VerifyResult.class);
        JsonNode report = EventCodec.mapper().readTree(store.read(v.result())).get("report");
        assertThat(report.get("rows")).hasSize(3);
        assertThat(report.get("rows").get(0).get("faithfulness").get("logit_diff").asDouble()).isEqualTo(0.0);
        assertThat(report.get("rows").get(2).get("faithfulness").get("logit_diff").asDouble()).isEqualTo(1.0,
                org.assertj.core.data.Offset.offset(1e-6));
        assertThat(report.get("leakedPairs").asInt()).isEqualTo(3);
        assertThat(new String(store.read(v.report()), StandardCharsets.UTF_8)).contains("<svg class=\"chart\"", "RESAMPLE");
        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("circuits_verifier_edge_counts_evaluated_total");
    }

    @Test
    void aDiscoveryResultWhoseRequestListsVerifyNextIsVerified() throws Exception {
        ArtifactRef[] in = inputs("chain" + System.nanoTime());
        DiscoveryRequest discovery = new DiscoveryRequest(1, null, "builtin:tiny", in[0], new DiscoveryParams(2, null, null, null, null,
                null, null, null, 0.5, null, 3, null, null, null, null), List.of("verify")).normalized();
        DiscoveryResult found = new DiscoveryResult(1, discovery.jobId(), in[1], null, null, null, 10, 0.9, discovery);
        TestKafka.send(Topics.DISCOVERY_RESULTS, discovery.jobId(), EventTypes.DISCOVERY_RESULT, EventCodec.toJson(found));

        DiscoveryParams p = discovery.params();
        String jobId = new VerifyRequest(1, null, "builtin:tiny", in[0], in[1], List.of(10), p.ablation(), p.patch(), p.direction(),
                p.metric(), null, null, null, null, in[0], p.trainFraction(), p.batchSize()).normalized().jobId();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                .until(() -> !TestKafka.records(Topics.VERIFY_RESULTS, jobId, Duration.ofSeconds(1)).isEmpty());
        VerifyResult v = EventCodec.fromJson(TestKafka.records(Topics.VERIFY_RESULTS, jobId, Duration.ofSeconds(1)).get(0).value(),
                VerifyResult.class);
        JsonNode rows = EventCodec.mapper().readTree(store.read(v.result())).get("report").get("rows");
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("requestedEdges").asInt()).isEqualTo(10);
    }

    @Test
    void anInvalidRequestIsDeadLetteredNamingTheField() throws Exception {
        ArtifactRef[] in = inputs("bad" + System.nanoTime());
        VerifyRequest bad = new VerifyRequest(1, null, "builtin:tiny", in[0], in[1], List.of(5), "melt", null, null, null, 1, null,
                null, null, null, null, null);
        String key = "bad-" + System.nanoTime();
        TestKafka.send(Topics.VERIFY_REQUESTS, key, EventTypes.VERIFY_REQUEST, EventCodec.toJson(bad));
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> TestKafka.records(Topics.deadLetter(Topics.VERIFY_REQUESTS), key, Duration.ofSeconds(1)).stream()
                        .anyMatch(x -> String.valueOf(TestKafka.header(x, "dead-letter-reason")).contains("ablation")));
    }
}
