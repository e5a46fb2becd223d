package org.memcircuits.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.memcircuits.model.HeadInput;
import org.memcircuits.model.ModelConfig;

/**
 * The computational graph circuits are found in (auto-circuit's {@code factorized=True,
 * separate_qkv=True}; EAP-IG's naming). Sources write to the residual stream: {@code input} (token
 * plus position embedding), {@code a{l}.h{h}} (each head's output without b_O), {@code m{l}}.
 * Destinations read it: {@code a{l}.h{h}<q|k|v>} (or one {@code a{l}.h{h}} input per head when Q,
 * K and V are merged), {@code m{l}}, {@code logits} (the final residual). An edge joins every
 * source to every destination in a later layer, where the embedding is layer 0, block l's
 * attention 2l+1 and its MLP 2l+2. GPT-Neo-125M: 157 sources, 445 destinations, 32,491 edges.
 */
public final class CircuitGraph {
    /** A source node; {@code index} is its position in forward order (auto-circuit's src_idx). */
    public record Source(int index, String name, int layer, Kind kind, int block, int head) {}

    /** A destination node; {@code sources} = how many sources (indices 0..sources-1) feed it. */
    public record Destination(int index, String name, String hook, int layer, Kind kind, int block, int head,
            HeadInput input, int sources) {}

    public enum Kind {
        EMBEDDING,
        HEAD,
        MLP,
        LOGITS
    }

    private final ModelConfig config;
    private final boolean separateQkv;
    private final List<Source> sources;
    private final List<Destination> destinations;
    private final int edges;

    public CircuitGraph(ModelConfig config, boolean separateQkv) {
        this.config = config;
        this.separateQkv = separateQkv;
        int heads = config.nHeads();
        List<Source> src = new ArrayList<>();
        src.add(new Source(0, "input", 0, Kind.EMBEDDING, -1, -1));
        List<Destination> dst = new ArrayList<>();
        int e = 0;
        for (int b = 0; b < config.nLayers(); b++) {
            int before = src.size();
            HeadInput[] inputs = separateQkv ? HeadInput.values() : new HeadInput[] {null};
            for (HeadInput in : inputs) {
                for (int h = 0; h < heads; h++) {
                    String suffix = in == null ? "" : "<" + in.letter + ">";
                    String hook = in == null ? "blocks." + b + ".hook_attn_in" : "blocks." + b + ".hook_" + in.letter + "_input";
                    dst.add(new Destination(dst.size(), "a" + b + ".h" + h + suffix, hook, 2 * b + 1, Kind.HEAD, b, h, in, before));
                    e += before;
                }
            }
            for (int h = 0; h < heads; h++) {
                src.add(new Source(src.size(), "a" + b + ".h" + h, 2 * b + 1, Kind.HEAD, b, h));
            }
            dst.add(new Destination(dst.size(), "m" + b, "blocks." + b + ".hook_mlp_in", 2 * b + 2, Kind.MLP, b, -1, null,
                    src.size()));
            e += src.size();
            src.add(new Source(src.size(), "m" + b, 2 * b + 2, Kind.MLP, b, -1));
        }
        dst.add(new Destination(dst.size(), "logits", "blocks." + (config.nLayers() - 1) + ".hook_resid_post",
                2 * config.nLayers() + 1, Kind.LOGITS, -1, -1, null, src.size()));
        e += src.size();
        this.sources = Collections.unmodifiableList(src);
        this.destinations = Collections.unmodifiableList(dst);
        this.edges = e;
    }

    public ModelConfig config() {
        return config;
    }

    public boolean separateQkv() {
        return separateQkv;
    }

    public List<Source> sources() {
        return sources;
    }

    public List<Destination> destinations() {
        return destinations;
    }

    public int edgeCount() {
        return edges;
    }

    /** Index of the first source of block {@code b} (its head 0). */
    public static int firstHeadSource(ModelConfig c, int b) {
        return 1 + b * (c.nHeads() + 1);
    }

    /** EAP-IG's edge name: {@code a0.h1->m2}, {@code input->a1.h3<q>}, {@code m11->logits}. */
    public static String edgeName(Source s, Destination d) {
        return s.name() + "->" + d.name();
    }
}
