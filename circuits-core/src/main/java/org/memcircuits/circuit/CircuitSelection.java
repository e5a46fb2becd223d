package org.memcircuits.circuit;

import java.util.Arrays;
import org.memcircuits.attribution.PruneScores;

/**
 * Circuit membership as the original decides it: the threshold is the k-th largest |score| (signed
 * ranking optional), and an edge is in the circuit iff its score reaches it; ties can admit more
 * than k edges, so the actual count is reported.
 */
public record CircuitSelection(int requested, int actual, double threshold, int tiesAdmitted, boolean signed,
        boolean[][] inCircuit) {

    public static CircuitSelection topK(PruneScores scores, int k, boolean signed) {
        int total = scores.edgeCount();
        if (k < 0 || k > total) {
            throw new IllegalArgumentException("edge count " + k + " outside 0.." + total);
        }
        double[] all = new double[total];
        int p = 0;
        for (double[] g : scores.values()) {
            for (double v : g) {
                all[p++] = key(v, signed);
            }
        }
        double threshold;
        if (k == 0) {
            threshold = Double.POSITIVE_INFINITY;
        } else {
            double[] sorted = all.clone();
            Arrays.sort(sorted);
            threshold = sorted[total - k];
        }
        boolean[][] in = new boolean[scores.values().size()][];
        int actual = 0;
        for (int gi = 0; gi < in.length; gi++) {
            double[] g = scores.values().get(gi);
            in[gi] = new boolean[g.length];
            for (int i = 0; i < g.length; i++) {
                in[gi][i] = key(g[i], signed) >= threshold;
                actual += in[gi][i] ? 1 : 0;
            }
        }
        return new CircuitSelection(k, actual, threshold, actual - k, signed, in);
    }

    private static double key(double v, boolean signed) {
        return signed ? v : Math.abs(v);
    }
}
