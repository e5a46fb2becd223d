package org.memcircuits.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.memcircuits.model.GptModel;
import org.memcircuits.model.LayerWeights;
import org.memcircuits.model.ModelConfig;

/**
 * The Q/K/V projections as {@link MaskGradients} uses them: each head's transposed projection with
 * the LayerNorm's γ folded in, stacked for a group of consecutive model blocks (so one batched
 * product serves about {@link #GROUP_ROWS} head destinations), and per block the part of each
 * projection output that does not depend on x̂ (β·W + b), so that x̂·γ·W can be read off the
 * forward's own projection outputs; and per block each head's W_O with each row centred over the
 * model dimension, so that Δz·W_O comes out as a centred diff. Rows follow the mask layout: per block Q heads, K heads, V
 * heads (or, merged, one row per head with its Q, K and V stacked along the head dimension).
 *
 * @param groups the first block of each group, then the number of blocks
 * @param weights per group [blocks·R, dHead, D] (merged: [blocks·R, 3·dHead, D])
 * @param offsets per block [R, 1, dHead] (merged: [R, 1, 3·dHead])
 * @param outputs per block [H, dHead, D], W_O per head, rows centred
 */
record HeadProjections(int[] groups, List<NDArray> weights, List<NDArray> offsets, List<NDArray> outputs, boolean separate) {
    /**
     * Head rows per group: enough for the edge product to run near the machine's GEMM rate (36
     * rows reach about 70% of it here, 72 about 90%), few enough that a group's per-position
     * buffers stay small.
     */
    static final int GROUP_ROWS = 72;

    static HeadProjections of(GptModel model, boolean separate, NDManager m) {
        ModelConfig c = model.config();
        int h = c.nHeads();
        int dh = c.dHead();
        int rows = separate ? 3 * h : h;
        int perGroup = Math.max(1, GROUP_ROWS / rows);
        List<Integer> starts = new ArrayList<>();
        List<NDArray> weights = new ArrayList<>();
        List<NDArray> offsets = new ArrayList<>();
        List<NDArray> outputs = new ArrayList<>();
        for (int g = 0; g < c.nLayers(); g += perGroup) {
            starts.add(g);
            NDList blocks = new NDList();
            for (int l = g; l < Math.min(c.nLayers(), g + perGroup); l++) {
                LayerWeights lw = model.layer(l);
                // The model's manager takes no new arrays: every result here starts from a copy in m.
                NDList kinds = new NDList();
                for (NDArray t : new NDArray[] {lw.wqHeadsT(), lw.wkHeadsT(), lw.wvHeadsT()}) {
                    kinds.add(m.zeros(t.getShape(), t.getDataType()).addi(t));
                }
                NDArray w = NDArrays.concat(kinds, separate ? 0 : 1);
                kinds.close();
                blocks.add(w.muli(lw.ln1W()));
                NDArray beta = m.zeros(new Shape(1, c.dModel()), lw.ln1B().getDataType()).addi(lw.ln1B());
                NDArray shift = beta.matMul(lw.wqkv()); // β·W, [1, 3D]
                beta.close();
                if (lw.bqkv() != null) {
                    shift.addi(lw.bqkv());
                }
                shift = shift.reshape(3, h, dh);
                NDArray wo = m.zeros(lw.woHeads().getShape(), lw.woHeads().getDataType()).addi(lw.woHeads());
                outputs.add(wo.subi(wo.mean(new int[] {-1}, true)));
                offsets.add(separate ? shift.reshape(3 * h, 1, dh) : shift.transpose(1, 0, 2).reshape(h, 1, 3 * dh));
            }
            weights.add(blocks.size() == 1 ? blocks.get(0) : NDArrays.concat(blocks, 0));
            if (blocks.size() > 1) {
                blocks.close();
            }
        }
        int[] groups = new int[starts.size() + 1];
        for (int i = 0; i < starts.size(); i++) {
            groups[i] = starts.get(i);
        }
        groups[starts.size()] = c.nLayers();
        return new HeadProjections(groups, weights, offsets, outputs, separate);
    }

    int groupCount() {
        return groups.length - 1;
    }

    /** Head rows per block: 3H, or H with Q/K/V merged. */
    long rowsPerBlock() {
        return offsets.get(0).getShape().get(0);
    }

    /** Per-kind [B, H, T, dHead] tensors as rows [3H, B·T, dHead] (merged: [H, B·T, 3·dHead]). */
    NDArray rows(NDArray[] perKind) {
        NDList heads = new NDList();
        for (NDArray a : perKind) {
            heads.add(a.transpose(1, 0, 2, 3)); // a view: the concatenation below is the one copy
        }
        NDArray all = NDArrays.concat(heads, separate ? 0 : 3); // [3H, B, T, dHead] or [H, B, T, 3·dHead]
        long[] s = all.getShape().getShape();
        return all.reshape(s[0], s[1] * s[2], s[3]);
    }
}
