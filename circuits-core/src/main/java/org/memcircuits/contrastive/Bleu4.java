package org.memcircuits.contrastive;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BLEU on token ids as the original pipeline computes it ({@code metrics/nmt_bleu.py}, the Google
 * NMT implementation, with one reference and one hypothesis): for n = 1..maxOrder the clipped
 * n-gram matches (multiset intersection of hypothesis and reference n-gram counts) over the
 * hypothesis's n-gram positions {@code max(0, len(hyp) - n + 1)}; with smoothing every order,
 * unigrams included, is {@code (matches + 1) / (possible + 1)} (Lin and Och add-one); the geometric
 * mean {@code exp(sum(ln p_n) / maxOrder)} (0 if any p_n is 0); times the brevity penalty
 * {@code 1} if {@code len(hyp) / len(ref) > 1}, else {@code exp(1 - len(ref) / len(hyp))}. A perfect
 * match gives exactly 1.0. The operations run in the reference's order, in double precision.
 */
public final class Bleu4 {
    public static final int MAX_ORDER = 4;

    private Bleu4() {}

    /** Every intermediate value, as {@code compute_bleu} returns them. */
    public record Result(double bleu, double[] precisions, long[] matches, long[] possible, double brevityPenalty,
            double ratio, int hypothesisLength, int referenceLength) {}

    /** Smoothed BLEU-4, the divergence search's score. */
    public static double smoothed(long[] reference, long[] hypothesis) {
        return compute(reference, hypothesis, MAX_ORDER, true).bleu();
    }

    public static Result compute(long[] reference, long[] hypothesis, int maxOrder, boolean smooth) {
        if (maxOrder < 1) {
            throw new IllegalArgumentException("max order must be >= 1, got " + maxOrder);
        }
        if (reference.length == 0) {
            // compute_bleu divides by the reference length.
            throw new IllegalArgumentException("BLEU needs a non-empty reference");
        }
        Map<List<Long>, Integer> ref = ngrams(reference, maxOrder);
        Map<List<Long>, Integer> hyp = ngrams(hypothesis, maxOrder);
        long[] matches = new long[maxOrder];
        long[] possible = new long[maxOrder];
        for (Map.Entry<List<Long>, Integer> e : hyp.entrySet()) {
            Integer r = ref.get(e.getKey());
            if (r != null) {
                matches[e.getKey().size() - 1] += Math.min(e.getValue(), r);
            }
        }
        for (int n = 1; n <= maxOrder; n++) {
            possible[n - 1] = Math.max(0, hypothesis.length - n + 1);
        }
        double[] p = new double[maxOrder];
        for (int i = 0; i < maxOrder; i++) {
            if (smooth) {
                p[i] = (matches[i] + 1.0) / (possible[i] + 1.0);
            } else {
                p[i] = possible[i] > 0 ? (double) matches[i] / possible[i] : 0.0;
            }
        }
        double min = Double.POSITIVE_INFINITY;
        for (double v : p) {
            min = Math.min(min, v);
        }
        double geo = 0.0;
        if (min > 0) {
            double logSum = 0.0;
            for (double v : p) {
                logSum += (1.0 / maxOrder) * Math.log(v);
            }
            geo = Math.exp(logSum);
        }
        double ratio = (double) hypothesis.length / reference.length;
        // The reference divides by the ratio here; an empty hypothesis (ratio 0) scores 0 instead.
        double bp = ratio > 1.0 ? 1.0 : ratio == 0.0 ? 0.0 : Math.exp(1.0 - 1.0 / ratio);
        return new Result(geo * bp, p, matches, possible, bp, ratio, hypothesis.length, reference.length);
    }

    private static Map<List<Long>, Integer> ngrams(long[] s, int maxOrder) {
        Map<List<Long>, Integer> counts = new HashMap<>();
        for (int n = 1; n <= maxOrder; n++) {
            for (int i = 0; i + n <= s.length; i++) {
                Long[] g = new Long[n];
                for (int k = 0; k < n; k++) {
                    g[k] = s[i + k];
                }
                counts.merge(List.of(g), 1, Integer::sum);
            }
        }
        return counts;
    }
}
