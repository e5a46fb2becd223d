package org.memcircuits.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.memcircuits.model.ForwardHooks;

/**
 * What {@link MaskGradients} needs of a run's sources, detached: the embedding, each block's
 * attention-weighted values z (a head's source is z times its slice of W_O, which the edge products
 * apply to patch − curr directly, so the pass itself never forms per-head outputs) and each MLP's
 * output.
 */
class RunSources implements ForwardHooks {
    NDArray embedding;
    /** Per block, [B, H, T, dHead]. */
    final List<NDArray> mixes = new ArrayList<>();
    /** Per block, [B, T, D]. */
    final List<NDArray> mlpOutputs = new ArrayList<>();

    /**
     * Moves what later work reads of this run to {@code m}, so that the run's own manager can be
     * closed and the rest of its activations freed.
     */
    void keep(NDManager m) {
        embedding.attach(m);
        mixes.forEach(a -> a.attach(m));
        mlpOutputs.forEach(a -> a.attach(m));
    }

    @Override
    public void embedding(NDArray x) {
        embedding = x.stopGradient();
    }

    @Override
    public void headMix(int layer, NDArray z) {
        mixes.add(z.stopGradient());
    }

    @Override
    public void mlpOutput(int layer, NDArray out) {
        mlpOutputs.add(out.stopGradient());
    }
}
