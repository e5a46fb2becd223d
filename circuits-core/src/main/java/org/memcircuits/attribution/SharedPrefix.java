package org.memcircuits.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import org.memcircuits.model.Batch;
import org.memcircuits.model.ForwardHooks;
import org.memcircuits.model.GptModel;
import org.memcircuits.model.KvCache;

/**
 * A pair batch cut where its clean and corrupt prompts start to differ. In the columns before the
 * cut both hold the same tokens at the same positions, and attention is causal, so every module
 * computes the same there in the clean run, the corrupt run and every run in between (a destination
 * reads (1 − a)·x + a·x = x): no source differs there, so no edge gains anything there whatever its
 * destination's gradient. Those columns are run once, without gradients, into a key/value cache that
 * every run of the batch continues from; each run, its backward and its edge products then cover
 * only the columns after the cut. The branch-decision pairs differ in their last token only: a step
 * costs one position's forward and backward instead of the whole prompt's.
 *
 * <p>In exact arithmetic the scores are those of the full runs. In floating point the full runs
 * differ from them by rounding only: (1 − a)·x + a·x need not be x to the last bit there.
 *
 * @param shared the number of shared columns (0 when the prompts differ from the first column, or
 *     are padded differently); at most the batch length − 1, since the metric reads the last column
 * @param prefix the shared columns' keys and values, or null when none are shared
 * @param clean the clean prompts' columns after the cut
 * @param corrupt the corrupt prompts' columns after the cut
 * @param length the batch's whole length: what each run's cache holds at the end
 */
public record SharedPrefix(int shared, KvCache prefix, Batch clean, Batch corrupt, int length) {

    /** The whole batch, nothing shared: for patches that differ from both prompts (zero, means). */
    public static SharedPrefix none(PairBatch batch) {
        return new SharedPrefix(0, null, batch.clean(), batch.corrupt(), batch.clean().length());
    }

    /** Runs the shared columns of {@code batch} (if any) into a cache owned by {@code m}. */
    public static SharedPrefix of(GptModel model, PairBatch batch, NDManager m) {
        return of(model, batch, m, length(batch));
    }

    /** {@link #of(GptModel, PairBatch, NDManager)} for a caller that has {@code shared = length(batch)} already. */
    public static SharedPrefix of(GptModel model, PairBatch batch, NDManager m, int shared) {
        int t = batch.clean().length();
        if (shared == 0) {
            return none(batch);
        }
        KvCache cache = new KvCache(m, model.config(), batch.size(), shared, model.dataType());
        try (NDManager pm = m.newSubManager()) { // the prefix's own activations go; its keys and values stay
            model.hidden(pm, batch.clean().columns(0, shared), ForwardHooks.NONE, cache);
        }
        return new SharedPrefix(shared, cache, batch.clean().columns(shared, t), batch.corrupt().columns(shared, t), t);
    }

    /** Columns from the first on where clean and corrupt agree in every row, padding included. */
    public static int length(PairBatch batch) {
        if (!EdgeAttribution.sameLayout(batch)) {
            return 0;
        }
        long[][] clean = batch.clean().ids();
        long[][] corrupt = batch.corrupt().ids();
        int t = batch.clean().length();
        int shared = t - 1;
        for (int b = 0; b < clean.length; b++) {
            int i = Arrays.mismatch(clean[b], corrupt[b]);
            shared = Math.min(shared, i < 0 ? t - 1 : i);
        }
        return shared;
    }

    /** The final hidden state [B, T − shared, D] of {@code columns} (clean or corrupt), continuing the prefix. */
    public NDArray hidden(GptModel model, NDManager m, Batch columns, ForwardHooks hooks) {
        return model.hidden(m, columns, hooks, prefix == null ? null : prefix.fork(m, length));
    }
}
