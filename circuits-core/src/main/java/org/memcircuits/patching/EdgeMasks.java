package org.memcircuits.patching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.memcircuits.graph.CircuitGraph;
import org.memcircuits.model.HeadInput;

/**
 * One mask value per edge, grouped by destination module as auto-circuit's PruneScores are:
 * {@code blocks.l.hook_{q,k,v}_input} [H, 1+13l], {@code blocks.l.hook_mlp_in} [13(l+1)],
 * {@code blocks.(L-1).hook_resid_post} [157] (for GPT-Neo-125M). With merged Q/K/V a head has one
 * [H, 1+13l] group used for all three inputs.
 */
public final class EdgeMasks {
    private final CircuitGraph graph;
    private final List<String> names = new ArrayList<>();
    private final List<NDArray> groups = new ArrayList<>();

    private EdgeMasks(CircuitGraph graph) {
        this.graph = graph;
    }

    /** A mask group: the destination hook it rewrites and its shape ([H, sources] or [sources]). */
    public record Group(String name, long[] shape) {
        /** Its number of edges. */
        public int edges() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return Math.toIntExact(n);
        }
    }

    /** The groups of {@code graph}, in forward order: per block Q, K, V (or merged) then MLP; the final residual. */
    public static List<Group> layout(CircuitGraph graph) {
        var c = graph.config();
        int heads = c.nHeads();
        List<Group> groups = new ArrayList<>();
        for (int b = 0; b < c.nLayers(); b++) {
            int before = CircuitGraph.firstHeadSource(c, b);
            if (graph.separateQkv()) {
                for (HeadInput in : HeadInput.values()) {
                    groups.add(new Group("blocks." + b + ".hook_" + in.letter + "_input", new long[] {heads, before}));
                }
            } else {
                groups.add(new Group("blocks." + b + ".hook_attn_in", new long[] {heads, before}));
            }
            groups.add(new Group("blocks." + b + ".hook_mlp_in", new long[] {before + heads}));
        }
        groups.add(new Group("blocks." + (c.nLayers() - 1) + ".hook_resid_post", new long[] {graph.sources().size()}));
        return groups;
    }

    /** Every edge's mask set to {@code value}. */
    public static EdgeMasks filled(CircuitGraph graph, NDManager m, float value, DataType type) {
        EdgeMasks masks = new EdgeMasks(graph);
        for (Group g : layout(graph)) {
            masks.add(g.name(), m.full(new Shape(g.shape()), value, type));
        }
        return masks;
    }

    /** Masks 1.0 where {@code on[group][edge]} is set (0.0 elsewhere), in {@link #filled} layout. */
    public static EdgeMasks of(CircuitGraph graph, NDManager m, boolean[][] on, boolean invert, DataType type) {
        EdgeMasks masks = filled(graph, m, 0f, type);
        for (int k = 0; k < masks.groups.size(); k++) {
            NDArray g = masks.groups.get(k);
            float[] v = new float[(int) g.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = on[k][i] != invert ? 1f : 0f;
            }
            NDArray filledGroup = m.create(v, g.getShape());
            masks.groups.set(k, type == DataType.FLOAT32 ? filledGroup : filledGroup.toType(type, false));
        }
        return masks;
    }

    private void add(String name, NDArray mask) {
        names.add(name);
        groups.add(mask);
    }

    public CircuitGraph graph() {
        return graph;
    }

    /** Group names (destination hooks), in forward order. */
    public List<String> names() {
        return names;
    }

    public List<NDArray> groups() {
        return groups;
    }

    public NDArray group(String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no mask group " + name);
        }
        return groups.get(i);
    }

    public NDArray headInput(int block, HeadInput in) {
        return group(graph.separateQkv() ? "blocks." + block + ".hook_" + in.letter + "_input" : "blocks." + block + ".hook_attn_in");
    }

    public NDArray mlpInput(int block) {
        return group("blocks." + block + ".hook_mlp_in");
    }

    public NDArray finalResidual() {
        return groups.get(groups.size() - 1);
    }

    /** Makes every group a fresh gradient leaf (DJL accumulates gradients across backward calls). */
    public void requireGradients() {
        groups.forEach(g -> g.setRequiresGradient(true));
    }
}
