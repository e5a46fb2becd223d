package org.memcircuits.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.memcircuits.model.ForwardHooks;
import org.memcircuits.model.GptModel;
import org.memcircuits.patching.EdgeMasks;
import org.memcircuits.patching.EdgePatcher;
import org.memcircuits.patching.SourceRecorder;

/** One patched forward pass of a pair batch and the loss it gives: the unit every circuit stage runs. */
public final class PatchedMetric {
    private final GptModel model;

    public PatchedMetric(GptModel model) {
        this.model = model;
    }

    /** Source chunks of a run (for RESAMPLE: the other prompt of each pair). No gradient needed. */
    public List<NDArray> sources(NDManager m, org.memcircuits.model.Batch batch) {
        SourceRecorder r = new SourceRecorder();
        model.hidden(m, batch, r);
        return r.chunks();
    }

    /** Last-position logits [B, V] of {@code input} with every destination patched by {@code masks}. */
    public NDArray logits(NDManager m, org.memcircuits.model.Batch input, EdgeMasks masks, List<NDArray> patch) {
        ForwardHooks hooks = new EdgePatcher(masks, patch);
        return model.unembed(model.hidden(m, input, hooks).get(":, -1, :"));
    }

    /** {@link #sources(NDManager, org.memcircuits.model.Batch)} of the columns after a shared prefix, continuing it. */
    public List<NDArray> sources(NDManager m, SharedPrefix prefix, org.memcircuits.model.Batch columns) {
        SourceRecorder r = new SourceRecorder();
        prefix.hidden(model, m, columns, r);
        return r.chunks();
    }

    /** {@link #logits(NDManager, org.memcircuits.model.Batch, EdgeMasks, List)} of the columns after a shared prefix. */
    public NDArray logits(NDManager m, SharedPrefix prefix, org.memcircuits.model.Batch columns, EdgeMasks masks,
            List<NDArray> patch) {
        return model.unembed(prefix.hidden(model, m, columns, new EdgePatcher(masks, patch)).get(":, -1, :"));
    }

    public NDArray loss(NDManager m, PairBatch batch, NDArray logits, GradFunction g, Loss loss) {
        NDArray vals = g.apply(logits);
        int v = model.config().vocabSize();
        NDArray ans = vals.mul(batch.answerWeights(m, v, false, model.dataType())).sum(new int[] {1});
        NDArray wrong = vals.mul(batch.answerWeights(m, v, true, model.dataType())).sum(new int[] {1});
        return loss.loss(ans, wrong);
    }
}
