package org.memcircuits.attribution;

import ai.djl.ndarray.NDArray;

/** What the loss reads from the last position's logits (auto-circuit's grad_function). */
public enum GradFunction {
    /** Logits centred over the vocabulary (TransformerLens center_unembed), as the original saw them. */
    LOGIT,
    PROB,
    LOGPROB,
    /** exp(x) / sum(exp(x)) with the denominator detached. */
    LOGIT_EXP;

    public static GradFunction parse(String s) {
        return valueOf(s.trim().toUpperCase().replace('-', '_'));
    }

    /** @param logits [B, V] */
    public NDArray apply(NDArray logits) {
        return switch (this) {
            case LOGIT -> logits.sub(logits.mean(new int[] {-1}, true));
            case PROB -> logits.softmax(-1);
            case LOGPROB -> logits.logSoftmax(-1);
            case LOGIT_EXP -> {
                NDArray shift = logits.max(new int[] {-1}, true).stopGradient();
                NDArray e = logits.sub(shift).exp();
                yield e.div(e.sum(new int[] {-1}, true).stopGradient());
            }
        };
    }
}
