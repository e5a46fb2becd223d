package org.memcircuits.attribution;

import ai.djl.ndarray.NDArray;

/**
 * The quantity whose mask gradient scores edges; auto-circuit differentiates {@code -answer_fn},
 * so a loss here is the negated answer function. Answer values are means over a prompt's answer
 * ids, then over the batch.
 */
public enum Loss {
    /** mean(v[answers]) - mean(v[wrong]) */
    AVG_DIFF,
    /** the sign-flipped difference (the fork's wrong_answer=True) */
    NEG_AVG_DIFF,
    /** mean(v[answers]) */
    AVG_VAL,
    /** mean(v[wrong]): the memorized token's value in the memorization-decision set */
    AVG_VAL_WRONG;

    public static Loss parse(String s) {
        return valueOf(s.trim().toUpperCase().replace('-', '_'));
    }

    /** The answer function (to maximise) from per-prompt answer and wrong-answer values [B]. */
    public NDArray answerFunction(NDArray answer, NDArray wrong) {
        return switch (this) {
            case AVG_DIFF -> answer.sub(wrong).mean();
            case NEG_AVG_DIFF -> wrong.sub(answer).mean();
            case AVG_VAL -> answer.mean();
            case AVG_VAL_WRONG -> wrong.mean();
        };
    }

    public NDArray loss(NDArray answer, NDArray wrong) {
        return answerFunction(answer, wrong).neg();
    }
}
