package org.memcircuits.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.memcircuits.contracts.ScoreRecord;

/** The branch rule on a scripted model: drop > 0.3 against the previous length AND a different first token. */
class DivergenceSearchTest {
    private static final int P = 6;
    private static final int G = 4;
    private static final int W = P + G;

    /** Sample s: whole window = s*100 + 0..9 (distinct, so junk never matches by accident). */
    private static long[] whole(int s) {
        long[] w = new long[W];
        for (int i = 0; i < W; i++) {
            w[i] = s * 100L + i;
        }
        return w;
    }

    private static ScoreRecord record(int s) {
        long[] w = whole(s);
        return new ScoreRecord(s, Arrays.copyOf(w, P), "ctx" + s, Arrays.copyOfRange(w, P, W), "c" + s,
                Arrays.copyOfRange(w, P, W), "t" + s, 1.0);
    }

    private static long[] truth(int s, int len) {
        return Arrays.copyOfRange(whole(s), len, W);
    }

    private static long[] junk(int n, int from) {
        long[] j = new long[n];
        for (int i = 0; i < n; i++) {
            j[i] = 90_000 + from + i;
        }
        return j;
    }

    /** Reproduces the truth while the context is longer than b; pure junk from b down. */
    private static void branchAt(FakeModel m, int s, int b) {
        m.generators.put(s * 100L, (len, n) -> len > b ? truth(s, len) : junk(n, len * 10));
    }

    private static void neverDiverges(FakeModel m, int s) {
        m.generators.put(s * 100L, (len, n) -> truth(s, len));
    }

    @Test
    void findsTheFirstSignificantDropWithADifferentFirstToken() {
        FakeModel m = new FakeModel();
        branchAt(m, 1, 4);
        neverDiverges(m, 2);
        // Sample 3: at length 5 the continuation keeps the true first token but is junk after it (a big
        // drop, same first token: not a branch); at 4 and below it is all junk (another drop, now with a
        // different first token: the branch, with score_before = the length-5 score, not 1.0).
        m.generators.put(300L, (len, n) -> {
            if (len > 5) {
                return truth(3, len);
            }
            long[] j = junk(n, len * 10);
            if (len == 5) {
                j[0] = truth(3, len)[0];
            }
            return j;
        });
        // Sample 4: keeps the true first token at every length: never a branch, whatever the drop.
        m.generators.put(400L, (len, n) -> {
            long[] j = len > 3 ? truth(4, len) : junk(n, len * 10);
            j[0] = truth(4, len)[0];
            return j;
        });
        List<ScoreRecord> recs = List.of(record(1), record(2), record(3), record(4));
        DivergenceSearch.Outcome o = new DivergenceSearch(m, 8, 0.3).run(recs, (d, t) -> {});
        List<Divergence> d = o.samples();

        assertThat(d.get(0).found()).isTrue();
        assertThat(d.get(0).position()).isEqualTo(4);
        assertThat(d.get(0).scoreBefore()).isEqualTo(1.0);
        assertThat(d.get(0).scoreAfter()).isEqualTo((double) (float) Bleu4.smoothed(truth(1, 4), junk(W - 4, 40)));
        assertThat(d.get(0).generated()).containsExactly(junk(W - 4, 40));
        assertThat(d.get(0).minimalContext()).containsExactly(Arrays.copyOf(whole(1), 4));
        assertThat(d.get(0).nextGroundTruth()).containsExactly(truth(1, 4));
        assertThat(d.get(0).lengthsTried()).isEqualTo(3); // 6, 5, 4

        // Never diverges: full-context fallback, scores 1.0, the continuation generated at length P.
        assertThat(d.get(1).found()).isFalse();
        assertThat(d.get(1).position()).isEqualTo(P);
        assertThat(d.get(1).scoreBefore()).isEqualTo(1.0);
        assertThat(d.get(1).scoreAfter()).isEqualTo(1.0);
        assertThat(d.get(1).generated()).containsExactly(truth(2, P));
        assertThat(d.get(1).lengthsTried()).isEqualTo(P);

        float at5 = (float) Bleu4.smoothed(truth(3, 5), withFirst(junk(W - 5, 50), truth(3, 5)[0]));
        float at4 = (float) Bleu4.smoothed(truth(3, 4), junk(W - 4, 40));
        assertThat((1f - at5) / 1f).isGreaterThan(0.3f); // a drop at 5, but the first token is right
        assertThat((at5 - at4) / at5).isGreaterThan(0.3f);
        assertThat(d.get(2).position()).isEqualTo(4);
        assertThat(d.get(2).scoreBefore()).isEqualTo((double) at5);
        assertThat(d.get(2).scoreAfter()).isEqualTo((double) at4);

        assertThat(d.get(3).found()).isFalse();
        assertThat(d.get(3).position()).isEqualTo(P);

        // Found samples are not regenerated: 4 rows at 6, 5, 4; then samples 2 and 4 alone.
        assertThat(m.calls).extracting(FakeModel.Call::rows).containsExactly(4, 4, 4, 2, 2, 2);
        assertThat(m.calls).extracting(FakeModel.Call::length).containsExactly(6, 5, 4, 3, 2, 1);
        assertThat(o.rowsGenerated()).isEqualTo(18);
        assertThat(o.tokensGenerated()).isEqualTo(4 * (4 + 5 + 6) + 2 * (7 + 8 + 9));
    }

    @Test
    void aBatchWhoseRowsAreAllFoundStopsEarly() {
        FakeModel m = new FakeModel();
        for (int s = 1; s <= 3; s++) {
            branchAt(m, s, P - 1);
        }
        List<Divergence> d = new DivergenceSearch(m, 8, 0.3).run(List.of(record(1), record(2), record(3)), (x, t) -> {}).samples();
        assertThat(d).allSatisfy(x -> {
            assertThat(x.found()).isTrue();
            assertThat(x.position()).isEqualTo(P - 1);
            assertThat(x.lengthsTried()).isEqualTo(2);
        });
        // Length P, then P-1 where every row branches: no third call.
        assertThat(m.calls).containsExactly(new FakeModel.Call(P, 3), new FakeModel.Call(P - 1, 3));
    }

    @Test
    void samplesAreSearchedInChunksOfTheBatchSizeInOrder() {
        FakeModel m = new FakeModel();
        branchAt(m, 1, P - 1);
        branchAt(m, 2, P - 1);
        branchAt(m, 3, 2);
        List<Integer> progress = new ArrayList<>();
        List<Divergence> d = new DivergenceSearch(m, 2, 0.3)
                .run(List.of(record(1), record(2), record(3)), (done, total) -> progress.add(done)).samples();
        assertThat(d).extracting(x -> x.record().document()).containsExactly(1L, 2L, 3L);
        assertThat(d).extracting(Divergence::position).containsExactly(P - 1, P - 1, 2);
        assertThat(m.calls).containsExactly(new FakeModel.Call(6, 2), new FakeModel.Call(5, 2), new FakeModel.Call(6, 1),
                new FakeModel.Call(5, 1), new FakeModel.Call(4, 1), new FakeModel.Call(3, 1), new FakeModel.Call(2, 1));
        assertThat(progress).containsExactly(2, 3);
    }

    @Test
    void aSlowDeclineNeverTriggers() {
        // Below P the first token is always wrong, and each shorter context adds one wrong token at the
        // end: smoothed BLEU goes 1 -> 0.760 -> 0.615 -> 0.517 -> ... -> 0.393 at length 1 (e.g. length
        // 5: p = 5/6, 4/5, 3/4, 2/3, product 1/3, geo 0.760, a drop of 0.24), never more than 0.3 from
        // one length to the next, so no branch is found despite the large total decline.
        FakeModel m = new FakeModel();
        m.generators.put(100L, (len, n) -> {
            long[] t = truth(1, len);
            if (len < P) {
                t[0] = 99_999;
                for (int k = 0; k < P - 1 - len; k++) {
                    t[t.length - 1 - k] = 90_000 + k;
                }
            }
            return t;
        });
        Divergence d = new DivergenceSearch(m, 4, 0.3).run(List.of(record(1)), (x, t) -> {}).samples().get(0);
        assertThat(d.found()).isFalse();
        assertThat(d.position()).isEqualTo(P);
        assertThat(d.lengthsTried()).isEqualTo(P);
        assertThat(Bleu4.smoothed(truth(1, 5), m.generators.get(100L).apply(5, W - 5))).isCloseTo(Math.pow(3, -0.25), within(1e-15));
        assertThat(Bleu4.smoothed(truth(1, 1), m.generators.get(100L).apply(1, W - 1))).isLessThan(0.4);
    }

    private static long[] withFirst(long[] a, long first) {
        a[0] = first;
        return a;
    }
}
