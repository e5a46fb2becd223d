package org.memcircuits.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.memcircuits.engine.Djl;
import org.memcircuits.model.HeadInput;

/**
 * One EAP-IG step: every edge mask at the same value a. Then Σ_src a·(patch − curr) over a
 * destination's edges is a·(patch residual − own residual), so each destination reads
 * (1 − a)·own + a·patch and the pass costs what a plain forward costs, with no per-edge product.
 *
 * <p>The per-edge gradients come afterwards ({@link MaskGradients}): ∂L/∂mask[src→dest] =
 * ⟨∂L/∂dest_in, patch_src − curr_src⟩. For that the pass adds a zero probe (a gradient leaf) where
 * each destination's gradient is wanted — after each head's Q/K/V projection (the shared LayerNorm
 * and fused projection stay as in a plain pass; the per-head input gradient is rebuilt from it),
 * at each MLP input and at the final residual — and keeps this pass's sources ({@link RunSources}).
 */
final class InterpolatedPatcher extends RunSources {
    private final NDManager manager;
    private final double alpha;
    private final List<NDArray> patchReads;
    private int read;
    private NDArray attnIn;
    /** Per block: the attention input (detached) and the Q, K, V probes. */
    final List<NDArray> attnInputs = new ArrayList<>();
    final List<NDArray[]> headProbes = new ArrayList<>();
    /** Per block: the Q, K, V projection outputs before their probes (detached). */
    final List<NDArray[]> headOutputs = new ArrayList<>();
    final List<NDArray> mlpProbes = new ArrayList<>();
    NDArray finalProbe;

    /** @param patchReads the patch run's residual reads ({@link PatchRun#reads}) */
    InterpolatedPatcher(NDManager manager, double alpha, List<NDArray> patchReads) {
        this.manager = manager;
        this.alpha = alpha;
        this.patchReads = patchReads;
    }

    private NDArray interpolate(NDArray own) {
        NDArray patch = patchReads.get(read++);
        if (alpha == 0) {
            return own;
        }
        if (alpha == 1) {
            // A handle owned by this pass: whatever is computed from it then belongs to the pass too.
            NDArray patched = patch.stopGradient();
            patched.attach(own.getManager());
            return patched;
        }
        // The constant goes first so that the product belongs to this pass, not to the patch's batch.
        return own.mul(Djl.constant(own, 1 - alpha)).add(Djl.constant(own, alpha).mul(patch));
    }

    /**
     * Moves what the edge gradients read (sources, attention inputs, projection outputs) to
     * {@code m}, so that the pass's manager can be closed, and every other activation of the
     * forward freed, before they are computed.
     */
    @Override
    void keep(NDManager m) {
        super.keep(m);
        attnInputs.forEach(a -> a.attach(m));
        for (NDArray[] kinds : headOutputs) {
            for (NDArray a : kinds) {
                a.attach(m);
            }
        }
    }

    private NDArray probe(NDArray x) {
        NDArray p = manager.zeros(x.getShape(), x.getDataType());
        p.setRequiresGradient(true);
        return p;
    }

    @Override
    public NDArray headInput(int layer, HeadInput kind, NDArray resid) {
        if (kind == HeadInput.Q) {
            attnIn = interpolate(resid);
            attnInputs.add(attnIn.stopGradient());
            headProbes.add(new NDArray[3]);
            headOutputs.add(new NDArray[3]);
        }
        return attnIn; // the same array for Q, K and V: the fused projection
    }

    @Override
    public NDArray headVector(int layer, HeadInput kind, NDArray x) {
        NDArray p = probe(x);
        headProbes.get(layer)[kind.ordinal()] = p;
        headOutputs.get(layer)[kind.ordinal()] = x.stopGradient();
        return x.add(p);
    }

    @Override
    public NDArray mlpInput(int layer, NDArray resid) {
        NDArray in = interpolate(resid);
        NDArray p = probe(in);
        mlpProbes.add(p);
        return in.add(p);
    }

    @Override
    public NDArray finalResidual(NDArray resid) {
        NDArray in = interpolate(resid);
        finalProbe = probe(in);
        return in.add(finalProbe);
    }
}
