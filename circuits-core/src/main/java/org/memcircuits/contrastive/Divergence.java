package org.memcircuits.contrastive;

import java.util.Arrays;
import org.memcircuits.contracts.ScoreRecord;

/**
 * The branch point of one memorized sample. {@code position} is the context length the search
 * stopped at (the original's {@code diverging_position}); when no branch was {@code found} it is the
 * full context length P, with the scores 1.0. {@code generated} is the greedy continuation from
 * {@code context[:position]}, exactly {@code P + G - position} tokens, aligned with
 * {@link #nextGroundTruth()}. {@code lengthsTried} counts the context lengths this sample was
 * regenerated at.
 */
public record Divergence(ScoreRecord record, int position, boolean found, long[] generated, double scoreBefore,
        double scoreAfter, int lengthsTried) {

    /** context ++ true_completion. */
    public long[] whole() {
        long[] c = record.context();
        long[] t = record.trueCompletion();
        long[] w = Arrays.copyOf(c, c.length + t.length);
        System.arraycopy(t, 0, w, c.length, t.length);
        return w;
    }

    /** {@code context[:position]}. */
    public long[] minimalContext() {
        return Arrays.copyOf(record.context(), position);
    }

    /** {@code whole[position:]}: the memorized continuation from the branch on. */
    public long[] nextGroundTruth() {
        long[] w = whole();
        return Arrays.copyOfRange(w, position, w.length);
    }
}
