package org.memcircuits.model;

import ai.djl.ndarray.NDArray;

/**
 * One block's weights in the layout the forward pass uses: every matrix maps {@code x @ W}
 * (input dimension first), whatever the checkpoint's storage layout was.
 *
 * @param wqkv fused [D, 3D] projection for the plain path (one GEMM instead of three)
 * @param bqkv fused bias [3D], or null (GPT-Neo has no q/k/v bias)
 * @param wqHeads per-head [H, D, dHead] views for head-specific inputs (circuit patching); same for
 *     k and v
 * @param wo [D, D] output projection; {@code woHeads} is the same as [H, dHead, D]
 * @param wqHeadsT transposed views [H, dHead, D] of the per-head projections (no copy), for
 *     gradients back through one head's projection; same for k and v
 */
public record LayerWeights(
        NDArray ln1W,
        NDArray ln1B,
        NDArray wqkv,
        NDArray bqkv,
        NDArray wqHeads,
        NDArray wkHeads,
        NDArray wvHeads,
        NDArray bqHeads,
        NDArray bkHeads,
        NDArray bvHeads,
        NDArray wo,
        NDArray woHeads,
        NDArray bo,
        NDArray ln2W,
        NDArray ln2B,
        NDArray wfc,
        NDArray bfc,
        NDArray wproj,
        NDArray bproj,
        NDArray wqHeadsT,
        NDArray wkHeadsT,
        NDArray wvHeadsT) {

    /** The per-head projections with their transposed views (made while the weights' manager is open). */
    static LayerWeights of(NDArray ln1W, NDArray ln1B, NDArray wqkv, NDArray bqkv, NDArray wqHeads, NDArray wkHeads,
            NDArray wvHeads, NDArray bqHeads, NDArray bkHeads, NDArray bvHeads, NDArray wo, NDArray woHeads, NDArray bo,
            NDArray ln2W, NDArray ln2B, NDArray wfc, NDArray bfc, NDArray wproj, NDArray bproj) {
        return new LayerWeights(ln1W, ln1B, wqkv, bqkv, wqHeads, wkHeads, wvHeads, bqHeads, bkHeads, bvHeads, wo, woHeads, bo,
                ln2W, ln2B, wfc, bfc, wproj, bproj, wqHeads.transpose(0, 2, 1), wkHeads.transpose(0, 2, 1),
                wvHeads.transpose(0, 2, 1));
    }
}
