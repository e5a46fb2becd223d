package org.memcircuits.contracts;

/**
 * Counts of a shard or a whole job.
 *
 * @param documents records read
 * @param scored documents scored
 * @param skippedShort documents with fewer than prompt+generation tokens (skipped, not padded)
 * @param skippedInvalid records without a usable text field
 * @param histogram {@code histogram[k]} = documents with exactly k of G tokens matching
 * @param generatedTokens tokens generated
 */
public record ScoreStats(long documents, long scored, long skippedShort, long skippedInvalid, long[] histogram,
        long generatedTokens) {

    public static ScoreStats empty(int generationTokens) {
        return new ScoreStats(0, 0, 0, 0, new long[generationTokens + 1], 0);
    }

    public ScoreStats plus(ScoreStats o) {
        long[] h = histogram.clone();
        for (int i = 0; i < h.length && i < o.histogram.length; i++) {
            h[i] += o.histogram[i];
        }
        return new ScoreStats(documents + o.documents, scored + o.scored, skippedShort + o.skippedShort,
                skippedInvalid + o.skippedInvalid, h, generatedTokens + o.generatedTokens);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScoreStats s && documents == s.documents && scored == s.scored
                && skippedShort == s.skippedShort && skippedInvalid == s.skippedInvalid
                && java.util.Arrays.equals(histogram, s.histogram) && generatedTokens == s.generatedTokens;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(documents, scored, skippedShort, skippedInvalid, java.util.Arrays.hashCode(histogram),
                generatedTokens);
    }

    @Override
    public String toString() {
        return "ScoreStats[documents=" + documents + ", scored=" + scored + ", skippedShort=" + skippedShort
                + ", skippedInvalid=" + skippedInvalid + ", histogram=" + java.util.Arrays.toString(histogram)
                + ", generatedTokens=" + generatedTokens + "]";
    }
}
