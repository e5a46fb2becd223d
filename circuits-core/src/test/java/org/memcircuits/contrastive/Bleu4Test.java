package org.memcircuits.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Smoothed BLEU-4 on token ids, checked against values worked out by hand. */
class Bleu4Test {
    private static final double EPS = 1e-15;

    @Test
    void aPerfectMatchIsExactlyOne() {
        // Every p_n = (k+1)/(k+1) = 1, ln 1 = 0, exp(0) = 1; ratio 1 -> BP = exp(1 - 1) = 1.
        assertThat(Bleu4.smoothed(new long[] {1, 2, 3, 4, 5, 6}, new long[] {1, 2, 3, 4, 5, 6})).isEqualTo(1.0);
        assertThat(Bleu4.smoothed(new long[] {9}, new long[] {9})).isEqualTo(1.0);
    }

    @Test
    void oneWrongTokenInFive() {
        // ref 1 2 3 4 5, hyp 1 2 3 9 5
        // unigrams: 1,2,3,5 match, 9 does not: 4 of 5      -> p1 = (4+1)/(5+1) = 5/6
        // bigrams: (1,2),(2,3) match; (3,9),(9,5) do not   -> p2 = (2+1)/(4+1) = 3/5
        // trigrams: (1,2,3) matches; (2,3,9),(3,9,5) not   -> p3 = (1+1)/(3+1) = 1/2
        // 4-grams: (1,2,3,9),(2,3,9,5): none               -> p4 = (0+1)/(2+1) = 1/3
        // product = 5/6 * 3/5 * 1/2 * 1/3 = 1/12; geo = (1/12)^(1/4); equal lengths -> BP = 1
        Bleu4.Result r = Bleu4.compute(new long[] {1, 2, 3, 4, 5}, new long[] {1, 2, 3, 9, 5}, 4, true);
        assertThat(r.matches()).containsExactly(4, 2, 1, 0);
        assertThat(r.possible()).containsExactly(5, 4, 3, 2);
        assertThat(r.precisions()).containsExactly(new double[] {5.0 / 6, 3.0 / 5, 1.0 / 2, 1.0 / 3}, within(EPS));
        assertThat(r.brevityPenalty()).isEqualTo(1.0);
        assertThat(r.bleu()).isCloseTo(Math.pow(12, -0.25), within(1e-15)); // 0.5372849659...
        assertThat(r.bleu()).isCloseTo(0.537284965911771, within(1e-12));
    }

    @Test
    void matchesAreClippedByTheReferenceCounts() {
        // ref 7 7 8, hyp 7 7 7
        // unigrams: hyp has 7 x3, ref 7 x2 -> clipped 2 of 3           -> p1 = 3/4
        // bigrams: hyp (7,7) x2, ref (7,7) x1 -> 1 of 2                -> p2 = 2/3
        // trigrams: hyp (7,7,7), ref (7,7,8) -> 0 of 1                 -> p3 = 1/2
        // 4-grams: none possible (max(0, 3-4+1) = 0)                    -> p4 = (0+1)/(0+1) = 1
        // product = 3/4 * 2/3 * 1/2 * 1 = 1/4; geo = (1/4)^(1/4) = 1/sqrt(2); BP = 1
        Bleu4.Result r = Bleu4.compute(new long[] {7, 7, 8}, new long[] {7, 7, 7}, 4, true);
        assertThat(r.matches()).containsExactly(2, 1, 0, 0);
        assertThat(r.possible()).containsExactly(3, 2, 1, 0);
        assertThat(r.bleu()).isCloseTo(1 / Math.sqrt(2), within(1e-15));
    }

    @Test
    void smoothingKeepsADisjointHypothesisAboveZero() {
        // ref 1 2 3, hyp 4 5 6: no matches at all
        // p1 = (0+1)/(3+1) = 1/4, p2 = 1/3, p3 = 1/2, p4 = (0+1)/(0+1) = 1
        // product = 1/24; geo = (1/24)^(1/4) = 0.4518... (add-one smoothing is generous on short windows)
        assertThat(Bleu4.smoothed(new long[] {1, 2, 3}, new long[] {4, 5, 6})).isCloseTo(Math.pow(24, -0.25), within(1e-15));
        // Without smoothing the zero 3-gram precision makes the geometric mean 0.
        assertThat(Bleu4.compute(new long[] {1, 2, 3, 4, 5}, new long[] {1, 2, 3, 9, 5}, 4, false).bleu()).isZero();
    }

    @Test
    void brevityPenaltyOnlyForShortHypotheses() {
        // ref 1 2 3 4, hyp 1 2: p1 = (2+1)/(2+1) = 1, p2 = (1+1)/(1+1) = 1, p3 = p4 = (0+1)/(0+1) = 1 -> geo = 1
        // ratio = 2/4 = 0.5 <= 1 -> BP = exp(1 - 1/0.5) = exp(-1)
        Bleu4.Result shortHyp = Bleu4.compute(new long[] {1, 2, 3, 4}, new long[] {1, 2}, 4, true);
        assertThat(shortHyp.ratio()).isEqualTo(0.5);
        assertThat(shortHyp.bleu()).isCloseTo(Math.exp(-1), within(1e-15));
        // ref 1 2, hyp 1 2 3: p1 = (2+1)/(3+1) = 3/4, p2 = (1+1)/(2+1) = 2/3, p3 = (0+1)/(1+1) = 1/2, p4 = 1
        // product 1/4 -> geo = 1/sqrt(2); ratio 1.5 > 1 -> BP = 1
        assertThat(Bleu4.smoothed(new long[] {1, 2}, new long[] {1, 2, 3})).isCloseTo(1 / Math.sqrt(2), within(1e-15));
        // An empty hypothesis scores 0 (the reference would divide by zero); an empty reference is an error.
        assertThat(Bleu4.smoothed(new long[] {1}, new long[0])).isZero();
        assertThatThrownBy(() -> Bleu4.smoothed(new long[0], new long[] {1})).isInstanceOf(IllegalArgumentException.class);
    }
}
