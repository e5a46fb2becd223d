package org.memcircuits.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * A group of model blocks' head destinations for {@link MaskGradients}: what rebuilds each head's
 * Q/K/V input gradient for any block of positions. For a head row with probe gradient g,
 * projection W and its block's LayerNorm (x̂, rstd, γ), the input gradient dotted with a centred
 * diff d is ⟨rstd·γ·W·g, d⟩ − rstd·c·⟨x̂, d⟩ with c = ⟨g, x̂·γ·W⟩/D; the LayerNorm's mean term
 * vanishes against centred diffs.
 *
 * @param scaled [rows, B·T, dHead] (merged: [rows, B·T, 3·dHead]) probe gradients times rstd, blocks in order
 * @param correction [rows, B·T] rstd·c per row and position
 */
record HeadRows(NDArray scaled, NDArray correction) {

    /**
     * @param xhats per block of the model, its LayerNorm's x̂ [B·T, D]
     * @param rstds per block of the model, its LayerNorm's 1/σ [B·T, 1]
     */
    static HeadRows of(InterpolatedPatcher pass, HeadProjections proj, int group, NDArray[] xhats, NDArray[] rstds,
            NDManager m) {
        NDList scaled = new NDList();
        NDList correction = new NDList();
        for (int l = proj.groups()[group]; l < proj.groups()[group + 1]; l++) {
            NDArray[] probes = pass.headProbes.get(l);
            NDArray[] grads = new NDArray[probes.length];
            for (int k = 0; k < probes.length; k++) {
                grads[k] = MaskGradients.gradient(probes[k], m);
            }
            NDArray s = proj.rows(grads).muli(rstds[l]);
            NDArray[] outputs = pass.headOutputs.get(l);
            for (NDArray o : outputs) {
                o.attach(m);
            }
            NDArray projected = proj.rows(outputs).subi(proj.offsets().get(l)); // x̂·γ·W per row
            correction.add(s.mul(projected).sum(new int[] {-1}).divi(xhats[l].getShape().get(1)));
            scaled.add(s);
        }
        return new HeadRows(NDArrays.concat(scaled, 0), NDArrays.concat(correction, 0));
    }

    /**
     * Σ over positions [p0, p1) and the model dimension of each source's centred diff times each
     * row's ⟨rstd·γ·W·g⟩ part: [sources, rows].
     *
     * @param weights the group's [rows, dHead, D] (merged: [rows, 3·dHead, D]) from {@link HeadProjections}
     * @param diffs [sources, (p1 − p0)·D]
     */
    NDArray dot(NDArray weights, NDArray diffs, long p0, long p1) {
        try (NDArray g = scaled.get(":, {}:{}, :", p0, p1);
                NDArray input = g.batchMatMul(weights); // [rows, p1 − p0, D]
                NDArray flat = input.reshape(input.getShape().get(0), -1)) {
            return MaskGradients.productT(diffs, flat);
        }
    }
}
