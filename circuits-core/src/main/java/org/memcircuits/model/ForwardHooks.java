package org.memcircuits.model;

import ai.djl.ndarray.NDArray;

/**
 * The circuit-graph view of one forward pass: every <em>source</em> (a write into the residual
 * stream) is shown to the hooks, and every <em>destination</em> (a read from it, before the
 * LayerNorm that reads it) may be rewritten by them. Names follow TransformerLens.
 *
 * <p>Rewriting a destination changes only what that node reads; the residual stream itself carries
 * on unpatched, as auto-circuit's patching does. All arrays are [B, T, ...] activations living in
 * the forward pass's manager; a hook that keeps one beyond the pass must attach it elsewhere.
 */
public interface ForwardHooks {
    /** Leaves the model exactly as it is. */
    ForwardHooks NONE = new ForwardHooks() {};

    /** {@code blocks.0.hook_resid_pre}: token plus position embedding, [B, T, D]. */
    default void embedding(NDArray x) {}

    /** Whether {@link #headResults} is wanted for this layer (it costs one extra GEMM). */
    default boolean wantsHeadResults(int layer) {
        return false;
    }

    /** {@code blocks.l.attn.hook_result}: each head's output before {@code b_O}, [B, T, H, D]. */
    default void headResults(int layer, NDArray result) {}

    /**
     * {@code blocks.l.attn.hook_z}: each head's attention-weighted values [B, H, T, dHead], before
     * {@code W_O}. Head l.h's source is this times its slice of {@code W_O}.
     */
    default void headMix(int layer, NDArray z) {}

    /** {@code blocks.l.hook_mlp_out}, [B, T, D]. */
    default void mlpOutput(int layer, NDArray out) {}

    /**
     * {@code blocks.l.hook_{q,k,v}_input}. Receives the residual stream [B, T, D]; returns it
     * unchanged, a rewritten [B, T, D] shared by all heads, or [B, T, H, D] with one input per head.
     * The fused Q/K/V projection runs when the same [B, T, D] array is returned for all three.
     */
    default NDArray headInput(int layer, HeadInput kind, NDArray resid) {
        return resid;
    }

    /**
     * {@code blocks.l.attn.hook_q}, {@code hook_k}, {@code hook_v}: each head's projected query, key
     * or value [B, H, T, dHead] (bias included); returns it or a replacement of the same shape.
     */
    default NDArray headVector(int layer, HeadInput kind, NDArray x) {
        return x;
    }

    /** {@code blocks.l.hook_mlp_in}: the MLP's input [B, T, D] before {@code ln_2}. */
    default NDArray mlpInput(int layer, NDArray resid) {
        return resid;
    }

    /** {@code blocks.(L-1).hook_resid_post}: the final residual [B, T, D] before {@code ln_f}. */
    default NDArray finalResidual(NDArray resid) {
        return resid;
    }
}
