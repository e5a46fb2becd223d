package org.memcircuits.patching;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.memcircuits.model.HeadInput;

/**
 * auto-circuit's patching: each destination reads {@code dest_in + Σ_src mask[dest, src] ·
 * (patch[src] − curr[src])}, where {@code curr} are this pass's own source outputs. Mask 0 keeps an
 * edge as it is, 1 replaces its contribution with the patch; the residual stream itself is never
 * patched, and b_O is never a source. Sum over sources is done chunk by chunk (the embedding, each
 * block's heads, each block's MLP): small matrix products, no copying of all sources.
 */
public final class EdgePatcher extends SourceRecorder {
    private final EdgeMasks masks;
    private final List<NDArray> patch;
    /** patch − curr per chunk as [n, B*T*D], computed once: every later destination reuses it. */
    private final List<NDArray> diffs = new java.util.ArrayList<>();

    /** @param patch the patch source chunks, as a {@link SourceRecorder} records them */
    public EdgePatcher(EdgeMasks masks, List<NDArray> patch) {
        this.masks = masks;
        this.patch = patch;
    }

    @Override
    public NDArray headInput(int layer, HeadInput kind, NDArray resid) {
        NDArray mask = masks.headInput(layer, kind); // [H, S]
        NDArray delta = delta(mask, (int) mask.getShape().get(1)); // [H, B*T*D]
        long[] s = resid.getShape().getShape();
        int heads = (int) mask.getShape().get(0);
        NDArray perHead = delta.reshape(heads, s[0], s[1], s[2]).transpose(1, 2, 0, 3); // [B, T, H, D]
        return resid.expandDims(2).add(perHead);
    }

    @Override
    public NDArray mlpInput(int layer, NDArray resid) {
        NDArray mask = masks.mlpInput(layer);
        return resid.add(delta(mask.expandDims(0), (int) mask.getShape().get(0)).reshape(resid.getShape()));
    }

    @Override
    public NDArray finalResidual(NDArray resid) {
        NDArray mask = masks.finalResidual();
        return resid.add(delta(mask.expandDims(0), (int) mask.getShape().get(0)).reshape(resid.getShape()));
    }

    private NDArray diff(int k) {
        while (diffs.size() <= k) {
            int i = diffs.size();
            NDArray curr = chunks.get(i);
            diffs.add(patch.get(i).sub(curr).reshape(curr.getShape().get(0), -1));
        }
        return diffs.get(k);
    }

    /** Σ over the first {@code sources} sources of mask[:, src] · (patch − curr), as [rows, B*T*D]. */
    private NDArray delta(NDArray mask, int sources) {
        NDArray sum = null;
        int offset = 0;
        for (int k = 0; offset < sources; k++) {
            NDArray diff = diff(k);
            long c = diff.getShape().get(0);
            NDArray part = mask.get(":, {}:{}", offset, offset + c).matMul(diff);
            if (sum == null) {
                sum = part;
            } else {
                // Partial sums are not needed for the backward pass (autograd keeps the mask and
                // diff it needs); freeing them at once keeps ~(2l+1) products per destination from
                // piling up in the step's manager (13 GB of them for GPT-Neo-125M at batch 8).
                NDArray next = sum.add(part);
                sum.close();
                part.close();
                sum = next;
            }
            offset += (int) c;
        }
        return sum;
    }
}
