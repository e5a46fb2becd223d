package org.memcircuits.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.memcircuits.model.Batch;

/**
 * A batch of pairs, clean and corrupt left-padded to one length so that their last tokens share a
 * column (the position every metric reads) and sources align position by position.
 */
public record PairBatch(List<PromptPair> pairs, Batch clean, Batch corrupt) {

    public static PairBatch of(List<PromptPair> pairs, long padId) {
        int t = 0;
        for (PromptPair p : pairs) {
            t = Math.max(t, Math.max(p.clean().length, p.corrupt().length));
        }
        return new PairBatch(pairs, Batch.leftPadded(pairs.stream().map(PromptPair::clean).toList(), padId, t),
                Batch.leftPadded(pairs.stream().map(PromptPair::corrupt).toList(), padId, t));
    }

    public int size() {
        return pairs.size();
    }

    /** [B, V] weights averaging each prompt's answer ids (or wrong-answer ids). */
    public NDArray answerWeights(NDManager m, int vocab, boolean wrong, DataType type) {
        float[] w = new float[pairs.size() * vocab];
        for (int b = 0; b < pairs.size(); b++) {
            long[] ids = wrong ? pairs.get(b).wrongAnswers() : pairs.get(b).answers();
            for (long id : ids) {
                w[b * vocab + (int) id] += 1f / ids.length;
            }
        }
        NDArray a = m.create(w, new Shape(pairs.size(), vocab));
        return type == DataType.FLOAT32 ? a : a.toType(type, false);
    }
}
