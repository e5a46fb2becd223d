package org.memcircuits.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.memcircuits.graph.CircuitGraph;
import org.memcircuits.model.GptModel;
import org.memcircuits.model.ModelConfig;

/**
 * Every edge's mask gradient from one {@link InterpolatedPatcher} pass after its backward:
 * ∂L/∂mask[src→dest] = ⟨∂L/∂dest_in, patch_src − curr_src⟩ over batch, positions and model
 * dimension: one multiply-add per edge and activation element, the least any edge attribution does.
 *
 * <p>A head's Q/K/V input gradient is rebuilt from its probe after the projection, back through
 * that head's slice of the projection and the shared LayerNorm, whose backward is linear:
 * rstd·(u − mean(u) − x̂·mean(x̂·u)) for u = γ·W·g. Every destination input's gradient has zero
 * mean over the model dimension (all of them feed LayerNorms only), so the diffs are centred once
 * per step and the mean(u) term drops out. The x̂ term is rank one per position: ⟨x̂, d⟩ for every
 * source, block and position comes from a batched product per source block as the block is
 * written, and mean(x̂·u) is ⟨g, x̂·γ·W⟩/D, read off the forward's own projection outputs. What is
 * left per head row is one product with its projection ({@link HeadRows}), made for a group of
 * blocks and a chunk of positions at a time so that both products run as large GEMMs.
 */
final class MaskGradients {
    /**
     * Per-chunk buffer of head input gradients, for groups whose whole buffer exceeds
     * {@link #WHOLE_CHUNKS} of them; smaller groups run in one chunk. At batch 8 one chunk (90 MB)
     * is the fastest: the products take 0.38 s per step, 0.39 s in two of 64 MB, 0.41 s in 24 MB
     * chunks. At batch 80 larger chunks gained little and raised the peak (per step 17.9 s and 19.8
     * GiB in 24 MB chunks; 17.2-18.2 s and 20.7-21.4 GiB in 64 MB; 16.7 s and 22.1 GiB in 128 MB,
     * against the discovery pod's limit of 24 GiB), as the allocator keeps what it frees
     * ({@link org.memcircuits.engine.NativeAllocator}).
     */
    static final long CHUNK_BYTES = 24L << 20;
    /** A group's buffer up to this many chunks runs whole. */
    static final long WHOLE_CHUNKS = 4;
    /** K from which {@link #productT} splits mid-sized outputs in 4 rather than 2. */
    static final long LONG_K = 1L << 17;

    private MaskGradients() {}

    /**
     * Gradients per mask group, in {@link org.memcircuits.patching.EdgeMasks} order; null if any is
     * not finite.
     *
     * @param diffs a [S, B·T·D] buffer for the batch (zeros when new; overwritten), so that no step
     *     allocates the largest array of the computation
     */
    static List<double[]> of(GptModel model, CircuitGraph graph, HeadProjections proj, InterpolatedPatcher pass,
            RunSources patch, NDArray diffs, long chunkBytes) {
        ModelConfig c = model.config();
        int sources = graph.sources().size();
        try (NDManager sm = diffs.getManager().newSubManager()) {
            NDArray[] xhats = new NDArray[c.nLayers()];
            NDArray[] rstds = new NDArray[c.nLayers()];
            for (int l = 0; l < c.nLayers(); l++) {
                NDArray x = pass.attnInputs.get(l);
                x.attach(sm);
                NDArray x2 = x.reshape(-1, c.dModel());
                NDArray centred = x2.sub(x2.mean(new int[] {-1}, true));
                rstds[l] = centred.square().mean(new int[] {-1}, true).add(c.layerNormEps()).pow(-0.5); // [B·T, 1]
                xhats[l] = centred.muli(rstds[l]);
            }
            NDArray xDiff = centredDiffs(pass, patch, proj, diffs, NDArrays.stack(new NDList(xhats), 2), sm);
            // A handle on the batch's buffer owned by this step, so that every view and product made
            // from it is freed with the step.
            NDArray diff = diffs.reshape(sources, -1); // [S, B·T·D]
            diff.attach(sm);
            List<double[]> out = headGradients(c, proj, pass, diff, xhats, rstds, xDiff, chunkBytes, sm);
            NDList residualRows = new NDList();
            for (NDArray probe : pass.mlpProbes) {
                residualRows.add(gradient(probe, sm).reshape(1, -1));
            }
            residualRows.add(gradient(pass.finalProbe, sm).reshape(1, -1));
            // [L + 1, S]: each MLP input's and the final residual's gradient against every source.
            double[] residual = toDoubles(productT(NDArrays.concat(residualRows, 0), diff));
            int mlp = 0;
            for (int k = 0; k < out.size(); k++) {
                if (out.get(k) == null) {
                    int before = CircuitGraph.firstHeadSource(c, mlp);
                    out.set(k, Arrays.copyOfRange(residual, mlp * sources, mlp * sources + before + c.nHeads()));
                    mlp++;
                }
            }
            out.add(Arrays.copyOfRange(residual, c.nLayers() * sources, (c.nLayers() + 1) * sources));
            for (double[] g : out) {
                for (double v : g) {
                    if (!Double.isFinite(v)) {
                        return null;
                    }
                }
            }
            return out;
        }
    }

    /**
     * The head destinations' groups in mask order, with a null after each block where its MLP's
     * group goes: per group of blocks, Σ over chunks of positions of the rows' projected gradients
     * against the diffs of every earlier source, less the rank-one x̂ term.
     */
    private static List<double[]> headGradients(ModelConfig c, HeadProjections proj, InterpolatedPatcher pass, NDArray diff,
            NDArray[] xhats, NDArray[] rstds, NDArray xDiff, long chunkBytes, NDManager sm) {
        int heads = c.nHeads();
        long d = c.dModel();
        long positions = diff.getShape().get(1) / d;
        List<double[]> out = new ArrayList<>();
        long rows = proj.rowsPerBlock();
        for (int grp = 0; grp < proj.groupCount(); grp++) {
            int first = proj.groups()[grp];
            int end = proj.groups()[grp + 1];
            HeadRows hr = HeadRows.of(pass, proj, grp, xhats, rstds, sm);
            int cols = CircuitGraph.firstHeadSource(c, end - 1);
            long groupRows = rows * (end - first);
            long rowBytes = groupRows * d * diff.getDataType().getNumOfBytes(); // one position's buffer
            long chunk = rowBytes * positions <= WHOLE_CHUNKS * chunkBytes ? positions : Math.max(1, chunkBytes / rowBytes);
            NDArray acc = null; // [cols, group rows]
            try (NDArray used = diff.get("0:{}", cols)) {
                for (long p0 = 0; p0 < positions; p0 += chunk) {
                    long p1 = Math.min(positions, p0 + chunk);
                    try (NDArray part = used.get(":, {}:{}", p0 * d, p1 * d)) {
                        acc = accumulate(acc, hr.dot(proj.weights().get(grp), part, p0, p1));
                    }
                }
            }
            NDArray byRow = acc.transpose(); // [group rows, cols]
            for (int l = first; l < end; l++) {
                int before = CircuitGraph.firstHeadSource(c, l);
                long r0 = rows * (l - first);
                NDArray x = xDiff.get(":, 0:{}, {}", before, l); // [B·T, before]
                NDArray grads = byRow.get("{}:{}, 0:{}", r0, r0 + rows, before)
                        .sub(hr.correction().get("{}:{}", r0, r0 + rows).matMul(x));
                double[] all = toDoubles(grads); // [rows, before]
                for (int k = 0; k < all.length / (heads * before); k++) {
                    out.add(Arrays.copyOfRange(all, k * heads * before, (k + 1) * heads * before));
                }
                out.add(null); // the block's MLP, filled by the caller
            }
        }
        return out;
    }

    /**
     * Fills {@code diffs} [S, B·T·D] with patch − curr for every source, centred over the model
     * dimension at each position, in place: the buffer lives for the whole batch, so a step neither
     * allocates nor page-faults 4·S·B·T·D bytes. Head sources come from Δz times the centred W_O.
     * Returns ⟨x̂_l, d_s⟩ at every position, [B·T, S, L], each block's part taken while it is
     * still in cache rather than in a second pass over the whole buffer.
     *
     * @param xhats every block's LayerNorm x̂ stacked, [B·T, D, L]
     */
    private static NDArray centredDiffs(RunSources curr, RunSources patch, HeadProjections proj, NDArray diffs, NDArray xhats,
            NDManager sm) {
        NDList xDiff = new NDList();
        long row = 0;
        row = fill(diffs, row, patch.embedding.sub(curr.embedding), xhats, xDiff, sm);
        for (int l = 0; l < curr.mixes.size(); l++) {
            try (NDArray dz = patch.mixes.get(l).sub(curr.mixes.get(l)); // [B, H, T, dHead]
                    NDArray perHead = dz.transpose(1, 0, 2, 3).reshape(dz.getShape().get(1), -1, dz.getShape().get(3));
                    NDArray heads = perHead.batchMatMul(proj.outputs().get(l)); // [H, B·T, D], centred
                    NDArray flat = heads.reshape(heads.getShape().get(0), -1);
                    NDArray byPosition = heads.transpose(1, 0, 2)) {
                long n = heads.getShape().get(0);
                diffs.set(new NDIndex("{}:{}", row, row + n), flat); // one copy into the buffer
                xDiff.add(inScope(byPosition.batchMatMul(xhats), sm)); // [B·T, H, L]
                row += n;
            }
            row = fill(diffs, row, patch.mlpOutputs.get(l).sub(curr.mlpOutputs.get(l)), xhats, xDiff, sm);
        }
        return NDArrays.concat(xDiff, 1);
    }

    /**
     * Writes one source's {@code diff} [B, T, D] (closed after), centred per position, at {@code row}
     * and adds its ⟨x̂, d⟩ part to {@code xDiff}; returns the next row.
     */
    private static long fill(NDArray diffs, long row, NDArray diff, NDArray xhats, NDList xDiff, NDManager sm) {
        long d = diff.getShape().get(2);
        try (diff;
                NDArray mean = diff.mean(new int[] {-1}, true);
                NDArray centred = diff.sub(mean);
                NDArray flat = centred.reshape(1, -1);
                NDArray byPosition = centred.reshape(-1, 1, d)) {
            diffs.set(new NDIndex("{}:{}", row, row + 1), flat);
            xDiff.add(inScope(byPosition.batchMatMul(xhats), sm)); // [B·T, 1, L]
        }
        return row + 1;
    }

    /**
     * a·bᵀ for a [M, K] and b [N, K], K in the hundreds of thousands. Its output (M·N of a few
     * thousand) is too small for the GEMM to share among threads well: one product of 14 x 72 ran at
     * a quarter of the machine's rate, 13 x 157 at a third. So K is cut into parts, multiplied as one
     * batch and the partial products summed (in a fixed order, so still deterministic): 1.3-1.5x
     * faster for the smaller outputs here, about even to 1.1x for the largest. Outputs under 20,000
     * take 4 parts once K is long enough to keep each part large (144 x 72 at K = 313,344: 4 parts
     * 114-127 GFLOP/s, 2 parts 104-105; 66 x 72 at K = 130,560 and 232,704: 4 parts 90-99, 2 parts
     * 81-97), 2 below that.
     */
    static NDArray productT(NDArray a, NDArray b) {
        long m = a.getShape().get(0);
        long n = b.getShape().get(0);
        long k = a.getShape().get(1);
        int parts = 1;
        if (m * n < 20000 && k % 4 == 0 && (m * n < 2500 || k >= LONG_K)) {
            parts = 4;
        } else if (m * n < 20000 && k % 2 == 0) {
            parts = 2;
        }
        if (parts == 1) {
            try (NDArray t = b.transpose()) {
                return a.matMul(t);
            }
        }
        try (NDArray ab = a.reshape(m, parts, k / parts).transpose(1, 0, 2); // views: [parts, M, K/parts]
                NDArray bb = b.reshape(n, parts, k / parts).transpose(1, 2, 0); // [parts, K/parts, N]
                NDArray partial = ab.batchMatMul(bb)) {
            return partial.sum(new int[] {0});
        }
    }

    /** Moves a product made from batch-owned operands to the step's manager. */
    private static NDArray inScope(NDArray a, NDManager sm) {
        a.attach(sm);
        return a;
    }

    private static NDArray accumulate(NDArray acc, NDArray part) {
        if (acc == null) {
            return part;
        }
        acc.addi(part);
        part.close();
        return acc;
    }

    /**
     * A probe's gradient, owned by {@code m}. A probe the loss does not depend on (block 0's heads
     * at mask 1, where every later read is the patch) has none, and DJL then gives float32 zeros.
     */
    static NDArray gradient(NDArray probe, NDManager m) {
        NDArray g = probe.getGradient();
        g.attach(m);
        return g.getDataType() == probe.getDataType() ? g : g.toType(probe.getDataType(), false);
    }

    private static double[] toDoubles(NDArray a) {
        return a.getDataType() == DataType.FLOAT64 ? a.toDoubleArray() : a.toType(DataType.FLOAT64, false).toDoubleArray();
    }
}
