package org.memcircuits.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import org.memcircuits.graph.CircuitGraph;
import org.memcircuits.model.GptModel;
import org.memcircuits.model.LayerWeights;
import org.memcircuits.model.ModelConfig;

/**
 * Every edge's mask gradient from one {@link InterpolatedPatcher} pass after its backward:
 * ∂L/∂mask[src→dest] = ⟨∂L/∂dest_in, patch_src − curr_src⟩ over batch, positions and model
 * dimension. One product per destination module: [rows, B·T·D] × [B·T·D, sources before it], so
 * the work is one multiply-add per edge and activation element, the least any edge attribution does.
 *
 * <p>A head's Q/K/V input gradient is rebuilt from its probe after the projection: back through
 * that head's slice of the projection, then through the shared LayerNorm (whose backward is linear
 * in the incoming gradient, so per-head inputs need no per-head forward).
 */
final class MaskGradients {
    private MaskGradients() {}


    /** Gradients per mask group, in {@link org.memcircuits.patching.EdgeMasks} order; null if any is not finite. */
    static List<double[]> of(GptModel model, CircuitGraph graph, InterpolatedPatcher pass, List<NDArray> patchChunks) {
        ModelConfig c = model.config();
        int heads = c.nHeads();
        NDArray diff = sourceDiffs(pass.chunks(), patchChunks); // [S, N]
        List<double[]> out = new ArrayList<>();
        for (int l = 0; l < c.nLayers(); l++) {
            int before = CircuitGraph.firstHeadSource(c, l);
            try (NDManager lm = diff.getManager().newSubManager()) {
                NDArray[] probes = pass.headProbes.get(l);
                LayerWeights lw = model.layer(l);
                NDArray[] wHeadsT = {lw.wqHeadsT(), lw.wkHeadsT(), lw.wvHeadsT()};
                LayerNormInput ln = LayerNormInput.of(pass.attnInputs.get(l), lm, c.layerNormEps());
                if (graph.separateQkv()) {
                    for (int k = 0; k < 3; k++) {
                        NDArray rows = ln.inputGradient(lnOutputGradient(probes[k], wHeadsT[k], lw.ln1W(), ln, lm));
                        out.add(toDoubles(dot(rows, diff, before)));
                        rows.close();
                    }
                } else {
                    NDArray g = lnOutputGradient(probes[0], wHeadsT[0], lw.ln1W(), ln, lm);
                    for (int k = 1; k < 3; k++) {
                        NDArray more = lnOutputGradient(probes[k], wHeadsT[k], lw.ln1W(), ln, lm);
                        g.addi(more);
                        more.close();
                    }
                    out.add(toDoubles(dot(ln.inputGradient(g), diff, before)));
                }
                NDArray mlp = gradient(pass.mlpProbes.get(l), lm);
                out.add(toDoubles(dot(mlp.reshape(1, -1), diff, before + heads)));
            }
        }
        try (NDManager lm = diff.getManager().newSubManager()) {
            NDArray fin = gradient(pass.finalProbe, lm);
            out.add(toDoubles(dot(fin.reshape(1, -1), diff, graph.sources().size())));
        }
        diff.close();
        for (double[] g : out) {
            for (double v : g) {
                if (!Double.isFinite(v)) {
                    return null;
                }
            }
        }
        return out;
    }

    /** patch − curr for every source, flattened: [S, B·T·D]. */
    private static NDArray sourceDiffs(List<NDArray> curr, List<NDArray> patch) {
        NDList parts = new NDList();
        for (int k = 0; k < curr.size(); k++) {
            NDArray cur = curr.get(k);
            parts.add(patch.get(k).sub(cur).reshape(cur.getShape().get(0), -1));
        }
        NDArray all = NDArrays.concat(parts, 0);
        parts.close();
        return all;
    }

    /** rows [R, N] · diff[0:sources]ᵀ: [R, sources]. */
    private static NDArray dot(NDArray rows, NDArray diff, int sources) {
        return rows.matMul(diff.get("0:{}", sources).transpose());
    }

    /**
     * A probe's gradient, owned by {@code lm}. A probe the loss does not depend on (block 0's heads
     * at mask 1, where every later read is the patch) has none, and DJL then gives float32 zeros.
     */
    private static NDArray gradient(NDArray probe, NDManager lm) {
        NDArray g = probe.getGradient();
        g.attach(lm);
        return g.getDataType() == probe.getDataType() ? g : g.toType(probe.getDataType(), false);
    }

    /**
     * ∂L/∂(LayerNorm output)·γ·rstd for one head input kind, [H, B·T, D], from its probe's gradient
     * [B, H, T, dHead]: rstd is applied to the small per-head gradient and γ folded into a
     * contiguous copy of the transposed projection, so the only large pass is the product.
     */
    private static NDArray lnOutputGradient(NDArray probe, NDArray wHeadsT, NDArray gamma, LayerNormInput ln, NDManager lm) {
        NDArray g = gradient(probe, lm);
        long[] s = g.getShape().getShape();
        NDArray wg = lm.zeros(wHeadsT.getShape(), wHeadsT.getDataType()).addi(wHeadsT).muli(gamma);
        return g.transpose(1, 0, 2, 3).reshape(s[1], s[0] * s[2], s[3]).mul(ln.rstd).batchMatMul(wg);
    }

    /** A LayerNorm's normalized input x̂ [1, B·T, D] and 1/σ [1, B·T, 1], recomputed from its input. */
    private record LayerNormInput(NDArray xhat, NDArray rstd) {
        static LayerNormInput of(NDArray x, NDManager lm, double eps) {
            x.attach(lm);
            NDArray x2 = x.reshape(1, -1, x.getShape().get(2));
            NDArray centred = x2.sub(x2.mean(new int[] {-1}, true));
            NDArray rstd = centred.square().mean(new int[] {-1}, true).add(eps).pow(-0.5);
            return new LayerNormInput(centred.muli(rstd), rstd);
        }

        /**
         * The input gradient from {@code gy} = ∂L/∂out·γ·rstd [H, B·T, D] (overwritten):
         * gy − mean(gy) − x̂·mean(gy·x̂), flattened to [H, B·T·D]. LayerNorm's backward is linear in
         * the incoming gradient, so per-head input gradients need no per-head forward.
         */
        NDArray inputGradient(NDArray gy) {
            NDArray a = gy.mean(new int[] {-1}, true);
            NDArray b;
            try (NDArray gx = gy.mul(xhat)) {
                b = gx.mean(new int[] {-1}, true);
            }
            try (NDArray t = xhat.mul(b)) {
                gy.subi(a).subi(t);
            }
            return gy.reshape(gy.getShape().get(0), -1);
        }
    }

    private static double[] toDoubles(NDArray a) {
        return a.getDataType() == DataType.FLOAT64 ? a.toDoubleArray() : a.toType(DataType.FLOAT64, false).toDoubleArray();
    }
}
