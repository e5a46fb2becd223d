package org.memcircuits.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.memcircuits.graph.CircuitGraph;
import org.memcircuits.model.GptModel;
import org.memcircuits.model.LayerWeights;
import org.memcircuits.model.ModelConfig;

/**
 * Every edge's mask gradient from one {@link InterpolatedPatcher} pass after its backward:
 * ∂L/∂mask[src→dest] = ⟨∂L/∂dest_in, patch_src − curr_src⟩ over batch, positions and model
 * dimension. Per model block, its Q, K, V and MLP rows meet the diffs of the sources before them in
 * one product per block of positions, so the work is one multiply-add per edge and activation
 * element (the least any edge attribution does) and each diff is read once per model block.
 *
 * <p>A head's Q/K/V input gradient is rebuilt from its probe after the projection: back through
 * that head's slice of the projection, then through the shared LayerNorm (whose backward is linear
 * in the incoming gradient, so per-head inputs need no per-head forward).
 */
final class MaskGradients {
    /** Largest per-block buffer of a head input gradient: a few MB, well inside the last-level cache. */
    private static final long BLOCK_BYTES = 4L << 20;

    private MaskGradients() {}

    /**
     * Gradients per mask group, in {@link org.memcircuits.patching.EdgeMasks} order; null if any is
     * not finite.
     *
     * @param diffs a [S, B·T·D] buffer for the batch (zeros when new; overwritten), so that no step
     *     allocates the largest array of the computation
     */
    static List<double[]> of(GptModel model, CircuitGraph graph, InterpolatedPatcher pass, List<NDArray> patchChunks,
            NDArray diffs) {
        ModelConfig c = model.config();
        int heads = c.nHeads();
        NDArray diff = sourceDiffs(pass.chunks(), patchChunks, diffs); // [S, N]
        List<double[]> out = new ArrayList<>();
        for (int l = 0; l < c.nLayers(); l++) {
            int before = CircuitGraph.firstHeadSource(c, l);
            try (NDManager lm = diff.getManager().newSubManager()) {
                NDArray[] probes = pass.headProbes.get(l);
                LayerWeights lw = model.layer(l);
                NDArray[] wHeadsT = {lw.wqHeadsT(), lw.wkHeadsT(), lw.wvHeadsT()};
                LayerNormInput ln = LayerNormInput.of(pass.attnInputs.get(l), lm, c.layerNormEps());
                NDList g = new NDList();
                NDList w = new NDList();
                for (int k = 0; k < 3; k++) {
                    g.add(headGradient(probes[k], ln, lm));
                    w.add(lm.zeros(wHeadsT[k].getShape(), wHeadsT[k].getDataType()).addi(wHeadsT[k]).muli(lw.ln1W()));
                }
                NDArray mlp = gradient(pass.mlpProbes.get(l), lm);
                NDArray grads = blockEdgeGradients(NDArrays.concat(g, 0), NDArrays.concat(w, 0), graph.separateQkv(),
                        mlp.reshape(1, -1, mlp.getShape().get(2)), ln, diff, before + heads); // [3H + 1 or H + 1, before + H]
                int rows = (int) grads.getShape().get(0) - 1;
                double[] all = toDoubles(grads);
                int cols = before + heads;
                for (int k = 0; k < rows / heads; k++) {
                    double[] group = new double[heads * before];
                    for (int h = 0; h < heads; h++) {
                        System.arraycopy(all, (k * heads + h) * cols, group, h * before, before);
                    }
                    out.add(group);
                }
                out.add(Arrays.copyOfRange(all, rows * cols, (rows + 1) * cols));
            }
        }
        try (NDManager lm = diff.getManager().newSubManager()) {
            NDArray fin = gradient(pass.finalProbe, lm);
            out.add(toDoubles(dot(fin.reshape(1, -1), diff, graph.sources().size())));
        }
        for (double[] g : out) {
            for (double v : g) {
                if (!Double.isFinite(v)) {
                    return null;
                }
            }
        }
        return out;
    }

    /**
     * Fills {@code diffs} [S, B·T·D] with patch − curr for every source, in place, block by block:
     * the buffer lives for the whole batch, so a step neither allocates nor page-faults 4·S·B·T·D
     * bytes (a fresh buffer cost 0.6-1.2 s per step at batch 8 x 51 here, in place ~0.1 s).
     */
    private static NDArray sourceDiffs(List<NDArray> curr, List<NDArray> patch, NDArray diffs) {
        long row = 0;
        for (int k = 0; k < curr.size(); k++) {
            NDArray cur = curr.get(k);
            long n = cur.getShape().get(0);
            try (NDArray block = diffs.get("{}:{}", row, row + n)) {
                block.muli(0).addi(patch.get(k).reshape(n, -1)).subi(cur.reshape(n, -1));
            }
            row += n;
        }
        return diffs;
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

    /** A probe's gradient [B, H, T, dHead] as [H, B·T, dHead], times the LayerNorm's rstd per position. */
    private static NDArray headGradient(NDArray probe, LayerNormInput ln, NDManager lm) {
        NDArray g = gradient(probe, lm);
        long[] s = g.getShape().getShape();
        return g.transpose(1, 0, 2, 3).reshape(s[1], s[0] * s[2], s[3]).muli(ln.rstd);
    }

    /**
     * A block's edge gradients, [3H + 1, sources] (or [H + 1, sources] with Q/K/V merged): Σ over
     * B·T·D of each destination's input gradient times each source's diff, the rows being the
     * block's Q, K and V heads and its MLP. A head's input gradient, (g·rstd)·(Wᵀ·γ) through the
     * shared LayerNorm's backward, is built in blocks of positions of at most {@link #BLOCK_BYTES}
     * and multiplied with the same block of the diffs for all rows at once: each diff block is
     * read once per model block, the LayerNorm passes run in cache, and no buffer grows with the
     * batch. Head rows get the MLP's extra sources (its own block's heads) too; callers drop them.
     *
     * @param g [3H, B·T, dHead] from {@link #headGradient}, Q then K then V
     * @param w [3H, dHead, D], the transposed per-head projections with γ folded in
     * @param mlp [1, B·T, D], the MLP input's gradient
     */
    private static NDArray blockEdgeGradients(NDArray g, NDArray w, boolean separate, NDArray mlp, LayerNormInput ln,
            NDArray diff, int sources) {
        long rows = g.getShape().get(1);
        long d = w.getShape().get(2);
        long block = Math.max(1, BLOCK_BYTES / ((g.getShape().get(0) + 1) * d * g.getDataType().getNumOfBytes()));
        NDArray acc = null;
        for (long r0 = 0; r0 < rows; r0 += block) {
            long r1 = Math.min(rows, r0 + block);
            NDArray gy = g.get(":, {}:{}, :", r0, r1).batchMatMul(w); // [3H, rows, D]
            if (!separate) {
                Shape s = gy.getShape();
                NDArray merged = gy.reshape(3, s.get(0) / 3, s.get(1), s.get(2)).sum(new int[] {0});
                gy.close();
                gy = merged;
            }
            NDArray heads = ln.inputGradient(gy, r0, r1); // [R, rows·D]
            NDArray all = NDArrays.concat(new NDList(heads, mlp.get(":, {}:{}, :", r0, r1).reshape(1, -1)), 0);
            NDArray dot = all.matMul(diff.get("0:{}, {}:{}", sources, r0 * d, r1 * d).transpose());
            gy.close();
            all.close();
            if (acc == null) {
                acc = dot;
            } else {
                acc.addi(dot);
                dot.close();
            }
        }
        return acc;
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
         * The input gradient for positions [r0, r1) from {@code gy} = ∂L/∂out·γ·rstd [H, r1 − r0, D]
         * (overwritten): gy − mean(gy) − x̂·mean(gy·x̂), flattened to [H, (r1 − r0)·D]. LayerNorm's
         * backward is linear in the incoming gradient, so per-head input gradients need no
         * per-head forward.
         */
        NDArray inputGradient(NDArray gy, long r0, long r1) {
            NDArray x = xhat.get(":, {}:{}, :", r0, r1);
            try (NDArray a = gy.mean(new int[] {-1}, true); NDArray gx = gy.mul(x); NDArray b = gx.mean(new int[] {-1}, true);
                    NDArray t = x.mul(b)) {
                gy.subi(a).subi(t);
            }
            return gy.reshape(gy.getShape().get(0), -1);
        }
    }

    private static double[] toDoubles(NDArray a) {
        return a.getDataType() == DataType.FLOAT64 ? a.toDoubleArray() : a.toType(DataType.FLOAT64, false).toDoubleArray();
    }
}
