package org.memcircuits.circuit;

/** What an ablated edge carries instead of its own source output (auto-circuit's AblationType). */
public enum Ablation {
    /** The other prompt of the pair, position-aligned (left padding aligns the last tokens). */
    RESAMPLE,
    ZERO,
    /** Mean over the batch, per position. */
    BATCH_TOKENWISE_MEAN,
    /** Mean over the batch and all positions. */
    BATCH_ALL_TOK_MEAN,
    /** Per-position mean over the whole dataset's clean prompts (mean of batch means). */
    TOKENWISE_MEAN_CLEAN,
    /** Per-position mean over the whole dataset's corrupt prompts. */
    TOKENWISE_MEAN_CORRUPT,
    /** Per-position mean over the whole dataset's clean and corrupt prompts. */
    TOKENWISE_MEAN_CLEAN_AND_CORRUPT;

    public boolean datasetMean() {
        return name().startsWith("TOKENWISE_MEAN");
    }

    public static Ablation parse(String s) {
        return valueOf(s.trim().toUpperCase().replace('-', '_'));
    }
}
