package org.memcircuits.circuit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.memcircuits.attribution.PairBatch;

/**
 * The evaluation metrics of the original (§11), each a batch mean over last-position logits; raw
 * logits are centred over the vocabulary first (TransformerLens center_unembed).
 */
public enum CircuitMetric {
    LOGIT_DIFF,
    NEG_LOGIT_DIFF,
    ANSWER_LOGIT,
    WRONG_ANSWER_LOGIT,
    /** Mean log-probability of the answer (named nll in the original, not negated). */
    ANSWER_NLL,
    CORRECT_ANS_PERCENT,
    NEG_CORRECT_ANS_PERCENT,
    /** Share of prompts whose argmax is a wrong answer, in percent. */
    INCORRECT_ANS_PERCENT,
    NEG_INCORRECT_ANS_PERCENT;

    public static CircuitMetric parse(String s) {
        return valueOf(s.trim().toUpperCase().replace('-', '_'));
    }

    /** @param logits [B, V] last-position logits */
    public double value(NDManager m, PairBatch batch, NDArray logits, DataType type) {
        int v = (int) logits.getShape().get(1);
        NDArray centred = logits.sub(logits.mean(new int[] {-1}, true));
        NDArray ansW = batch.answerWeights(m, v, false, type);
        NDArray wrongW = batch.answerWeights(m, v, true, type);
        return switch (this) {
            case LOGIT_DIFF -> centred.mul(ansW).sum(new int[] {1}).sub(centred.mul(wrongW).sum(new int[] {1})).mean().toType(DataType.FLOAT64, false).getDouble();
            case NEG_LOGIT_DIFF -> -LOGIT_DIFF.value(m, batch, logits, type);
            case ANSWER_LOGIT -> centred.mul(ansW).sum(new int[] {1}).mean().toType(DataType.FLOAT64, false).getDouble();
            case WRONG_ANSWER_LOGIT -> centred.mul(wrongW).sum(new int[] {1}).mean().toType(DataType.FLOAT64, false).getDouble();
            case ANSWER_NLL -> logits.logSoftmax(-1).mul(ansW).sum(new int[] {1}).mean().toType(DataType.FLOAT64, false).getDouble();
            case CORRECT_ANS_PERCENT -> percentArgmaxIn(batch, logits, false);
            case NEG_CORRECT_ANS_PERCENT -> -percentArgmaxIn(batch, logits, false);
            case INCORRECT_ANS_PERCENT -> percentArgmaxIn(batch, logits, true);
            case NEG_INCORRECT_ANS_PERCENT -> -percentArgmaxIn(batch, logits, true);
        };
    }

    private static double percentArgmaxIn(PairBatch batch, NDArray logits, boolean wrong) {
        long[] arg = logits.argMax(1).toLongArray();
        int hit = 0;
        for (int b = 0; b < arg.length; b++) {
            long[] ids = wrong ? batch.pairs().get(b).wrongAnswers() : batch.pairs().get(b).answers();
            for (long id : ids) {
                if (id == arg[b]) {
                    hit++;
                    break;
                }
            }
        }
        return 100.0 * hit / arg.length;
    }
}
