package org.memcircuits.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Against CPython (fixtures from src/test/fixtures/make_python_random.py). */
class PythonRandomTest {
    private static JsonNode fixture() throws Exception {
        return new ObjectMapper().readTree(Path.of("src/test/fixtures/python-random.json").toFile());
    }

    @Test
    void shufflesEqualCPythonsForTheSameSeed() throws Exception {
        JsonNode cases = fixture().get("shuffles");
        assertThat(cases.size()).isGreaterThan(20);
        for (JsonNode c : cases) {
            int n = c.get("n").asInt();
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                order.add(i);
            }
            new PythonRandom(c.get("seed").asLong()).shuffle(order);
            List<Integer> want = new ArrayList<>();
            c.get("shuffled").forEach(x -> want.add(x.asInt()));
            assertThat(order).as("seed %s, n %d", c.get("seed"), n).isEqualTo(want);
        }
    }

    @Test
    void theGeneratorEqualsMt19937AsCPythonSeedsIt() throws Exception {
        PythonRandom r = new PythonRandom(42);
        for (JsonNode bits : fixture().get("seed42_getrandbits32")) {
            assertThat(r.nextUint32()).isEqualTo(bits.asLong());
        }
    }

    @Test
    void splitsHaveTheOriginalsSizes() {
        List<PromptPair> pairs = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            pairs.add(new PromptPair(new long[] {i}, new long[] {i}, new long[] {1}, new long[] {2}));
        }
        // find_circuits: train = floor(0.9 * 7) = 6; verify_circuit with 0.5: test = floor(3.5) = 3, train 4.
        assertThat(ContrastiveDataset.split(pairs, 0.9, 42).train()).hasSize(6);
        ContrastiveDataset.Split v = ContrastiveDataset.splitByTestFraction(pairs, 0.5, 42);
        assertThat(v.train()).hasSize(4);
        assertThat(v.test()).hasSize(3);
        // CPython: random.seed(42); l = list(range(7)); random.shuffle(l) gives [1, 3, 4, 2, 6, 0, 5].
        List<PromptPair> shuffled = new ArrayList<>(v.train());
        shuffled.addAll(v.test());
        List<Integer> ids = new ArrayList<>();
        shuffled.forEach(p -> ids.add((int) p.clean()[0]));
        assertThat(ids).containsExactly(1, 3, 4, 2, 6, 0, 5);
    }
}
