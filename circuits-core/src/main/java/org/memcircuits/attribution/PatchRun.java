package org.memcircuits.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.memcircuits.model.HeadInput;

/**
 * The patch (corrupt) run of a batch: its sources, and the residual stream at every destination
 * read, in forward order: block l's attention input (read by its Q, K and V alike), block l's MLP
 * input, then the final residual. With every edge mask at the same value a, a patched destination
 * reads (1 − a)·own + a·patch residual: the sum over all its edges collapses to the residual streams.
 */
final class PatchRun extends RunSources {
    /** 2L + 1 residuals [B, T, D]: attention input and MLP input per block, then the final residual. */
    final List<NDArray> reads = new ArrayList<>();

    @Override
    void keep(NDManager m) {
        super.keep(m);
        reads.forEach(a -> a.attach(m));
    }

    @Override
    public NDArray headInput(int layer, HeadInput kind, NDArray resid) {
        if (kind == HeadInput.Q) {
            reads.add(resid);
        }
        return resid;
    }

    @Override
    public NDArray mlpInput(int layer, NDArray resid) {
        reads.add(resid);
        return resid;
    }

    @Override
    public NDArray finalResidual(NDArray resid) {
        reads.add(resid);
        return resid;
    }
}
