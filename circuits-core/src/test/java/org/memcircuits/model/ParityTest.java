package org.memcircuits.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.memcircuits.TestModels;

/**
 * Logits equal those of an independent PyTorch implementation (src/test/fixtures/make_fixtures.py)
 * on tiny GPT-Neo (with a local layer whose window is shorter than the sequence) and GPT-2
 * checkpoints, including left- and right-padded batches.
 */
class ParityTest {
    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt-neo", "tiny-gpt2"})
    void logitsMatchReference(String name) throws IOException {
        Path dir = TestModels.fixture(name);
        JsonNode expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        try (Checkpoint ckpt = Checkpoint.load(dir)) {
            for (JsonNode c : expected.get("cases")) {
                Batch batch = batchOf(c);
                try (NDManager m = ckpt.model().newManager()) {
                    float[] got = ckpt.model().logits(m, batch).toFloatArray();
                    int v = ckpt.config().vocabSize();
                    int t = batch.length();
                    double maxDiff = 0;
                    int compared = 0;
                    for (int b = 0; b < batch.size(); b++) {
                        for (int i = 0; i < t; i++) {
                            if (c.get("compare_mask").get(b).get(i).asInt() == 0) {
                                continue;
                            }
                            JsonNode row = c.get("logits").get(b).get(i);
                            for (int k = 0; k < v; k++) {
                                double d = Math.abs(got[(b * t + i) * v + k] - row.get(k).asDouble());
                                maxDiff = Math.max(maxDiff, d);
                                compared++;
                            }
                        }
                    }
                    assertThat(compared).as("%s/%s compared values", name, c.get("name").asText()).isPositive();
                    assertThat(maxDiff).as("%s/%s max |Δlogit|", name, c.get("name").asText()).isLessThanOrEqualTo(TOLERANCE);
                }
            }
        }
    }

    static Batch batchOf(JsonNode c) {
        int b = c.get("ids").size();
        long[][] ids = new long[b][];
        boolean[][] mask = new boolean[b][];
        long[][] pos = new long[b][];
        for (int i = 0; i < b; i++) {
            JsonNode r = c.get("ids").get(i);
            ids[i] = new long[r.size()];
            mask[i] = new boolean[r.size()];
            pos[i] = new long[r.size()];
            for (int j = 0; j < r.size(); j++) {
                ids[i][j] = r.get(j).asLong();
                mask[i][j] = c.get("attention_mask").get(i).get(j).asInt() == 1;
                pos[i][j] = c.get("position_ids").get(i).get(j).asLong();
            }
        }
        return new Batch(ids, mask, pos);
    }


}
