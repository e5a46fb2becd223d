package org.memcircuits.attribution;

import java.util.List;
import org.memcircuits.graph.CircuitGraph;

/**
 * Edge scores grouped by destination module, in auto-circuit's PruneScores layout: group
 * {@code blocks.l.hook_q_input} is [H, sources], index (head, src); MLP and final groups are
 * [sources]. Kept in double precision (sums over many steps and batches).
 */
public record PruneScores(CircuitGraph graph, List<String> names, List<long[]> shapes, List<double[]> values) {

    public double[] group(String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no prune-score group " + name);
        }
        return values.get(i);
    }

    public int edgeCount() {
        return values.stream().mapToInt(v -> v.length).sum();
    }

    /** Sum of every edge's score (the completeness check of integrated gradients). */
    public double total() {
        double s = 0;
        for (double[] v : values) {
            for (double x : v) {
                s += x;
            }
        }
        return s;
    }
}
