package org.memcircuits.cli.bench;

import org.memcircuits.model.ModelConfig;

/** Multiply-add FLOPs of the forward pass (2 per MAC), matmuls only: what GEMM throughput bounds. */
public final class FlopCount {
    private FlopCount() {}

    /** Per token, everything that does not depend on context length, unembedding included. */
    public static double perToken(ModelConfig c) {
        double d = c.dModel();
        double layer = 2 * (d * 3 * d + d * d + 2 * d * c.dMlp());
        return c.nLayers() * layer + 2 * d * c.vocabSize();
    }

    /** Attention scores and mixing for one query against {@code keys} keys, all layers. */
    public static double attentionPerQuery(ModelConfig c, int keys) {
        return c.nLayers() * 4.0 * keys * c.dModel();
    }

    /** A full causal forward of {@code batch} x {@code tokens} (all T keys computed per query). */
    public static double forward(ModelConfig c, int batch, int tokens) {
        return batch * tokens * (perToken(c) + attentionPerQuery(c, tokens));
    }
}
