package org.memcircuits.patching;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.memcircuits.model.ForwardHooks;

/**
 * Records every source of a forward pass in chunks, in source order: the embedding [1, B, T, D],
 * then per block its heads [H, B, T, D] and its MLP [1, B, T, D]. Chunk boundaries are those of
 * {@link org.memcircuits.graph.CircuitGraph}'s source indices.
 */
public class SourceRecorder implements ForwardHooks {
    protected final List<NDArray> chunks = new ArrayList<>();

    public List<NDArray> chunks() {
        return chunks;
    }

    @Override
    public void embedding(NDArray x) {
        chunks.add(x.expandDims(0));
    }

    @Override
    public boolean wantsHeadResults(int layer) {
        return true;
    }

    @Override
    public void headResults(int layer, NDArray result) {
        chunks.add(result.transpose(2, 0, 1, 3)); // [B, T, H, D] -> [H, B, T, D]
    }

    @Override
    public void mlpOutput(int layer, NDArray out) {
        chunks.add(out.expandDims(0));
    }
}
