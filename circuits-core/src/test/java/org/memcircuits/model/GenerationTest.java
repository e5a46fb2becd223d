package org.memcircuits.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.memcircuits.InvalidInputException;
import org.memcircuits.TestModels;

class GenerationTest {
    private static Checkpoint neo;

    @BeforeAll
    static void load() {
        neo = Checkpoint.load(TestModels.fixture("tiny-gpt-neo"));
    }

    @AfterAll
    static void close() {
        neo.close();
    }

    /** Reference: re-run the whole sequence each step (no cache) and take the argmax. */
    private static long[] argmaxLoop(GptModel model, long[] prompt, int n) {
        long[] seq = Arrays.copyOf(prompt, prompt.length);
        long[] out = new long[n];
        for (int s = 0; s < n; s++) {
            try (NDManager m = model.newManager()) {
                NDArray logits = model.logits(m, Batch.of(seq));
                out[s] = logits.get("0, -1, :").argMax().getLong();
            }
            seq = Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = out[s];
        }
        return out;
    }

    @Test
    void kvCacheGenerationEqualsPlainArgmaxLoop() {
        long[] a = {5, 17, 88, 3, 41, 9, 60, 12};
        long[] b = {71, 2, 33};
        // Left padding with different prompt lengths: each row must match its own unpadded run.
        long[][] got = new GreedyGenerator(neo.model()).generate(Batch.leftPadded(List.of(a, b), 100), 20, false);
        assertThat(got[0]).containsExactly(argmaxLoop(neo.model(), a, 20));
        assertThat(got[1]).containsExactly(argmaxLoop(neo.model(), b, 20));
    }

    @Test
    void forkedPrefixCacheContinuesLikeOneRunOverTheWholeBatch() {
        // Left padded rows of different lengths; the tiny preset's local layers see a window shorter than the rows.
        try (Checkpoint tiny = Checkpoint.load(TestModels.tinyRandom())) {
            GptModel model = tiny.model();
            Batch whole = Batch.leftPadded(List.of(new long[] {464, 2068, 7586, 21831, 625, 262, 13, 383, 11},
                    new long[] {15496, 995, 0, 1110, 17, 88}), 50256);
            int shared = 5;
            try (NDManager m = model.newManager()) {
                NDArray want = model.hidden(m, whole, ForwardHooks.NONE).get(":, {}:, :", shared);
                KvCache prefix = new KvCache(m, model.config(), whole.size(), shared, model.dataType());
                model.hidden(m, whole.columns(0, shared), ForwardHooks.NONE, prefix);
                for (int run = 0; run < 2; run++) { // the prefix is left as it was: a second fork continues alike
                    NDArray got = model.hidden(m, whole.columns(shared, whole.length()), ForwardHooks.NONE,
                            prefix.fork(m, whole.length()));
                    assertThat(got.sub(want).abs().max().getFloat()).isLessThan(1e-5f);
                }
                assertThat(prefix.length()).isEqualTo(shared);
            }
        }
        assertThatThrownBy(() -> Batch.of(new long[] {1, 2}).columns(1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tinyPresetWithLocalWindowShorterThanSequence() {
        try (Checkpoint tiny = Checkpoint.load(TestModels.tinyRandom())) {
            long[] p = tiny.tokenizer().encode("The quick brown fox jumps over the lazy dog and keeps running");
            long[][] got = new GreedyGenerator(tiny.model()).generate(Batch.of(p), 12, false);
            assertThat(got[0]).containsExactly(argmaxLoop(tiny.model(), p, 12));
        }
    }

    @Test
    void exactlyNTokensUnlessStoppingAtEos() {
        long[] p = {5, 17, 88};
        long[][] all = new GreedyGenerator(neo.model()).generate(Batch.of(p), 25, false);
        assertThat(all[0]).hasSize(25);
        long[][] stopped = new GreedyGenerator(neo.model()).generate(Batch.of(p), 25, true);
        assertThat(stopped[0]).hasSize(25);
        int eos = -1;
        for (int i = 0; i < 25; i++) {
            if (all[0][i] == neo.config().eosTokenId()) {
                eos = i;
                break;
            }
        }
        for (int i = 0; i < 25; i++) {
            long want = eos >= 0 && i > eos ? neo.config().eosTokenId() : all[0][i];
            assertThat(stopped[0][i]).as("token %d", i).isEqualTo(want);
        }
    }

    @Test
    void tooLongIsAClearError() {
        long[] p = new long[30];
        assertThatThrownBy(() -> new GreedyGenerator(neo.model()).generate(Batch.of(p), 10, false))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("max_position_embeddings");
        try (NDManager m = neo.model().newManager()) {
            assertThatThrownBy(() -> neo.model().logits(m, Batch.of(new long[40])))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("max_position_embeddings");
            assertThatThrownBy(() -> neo.model().logits(m, Batch.of(new long[] {1, 101})))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("token id 101");
        }
    }
}
