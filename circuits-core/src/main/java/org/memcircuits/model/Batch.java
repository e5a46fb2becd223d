package org.memcircuits.model;

import java.util.Arrays;
import java.util.List;
import org.memcircuits.InvalidInputException;

/**
 * Token ids of a batch with their attention mask and position ids. Padding never changes a real
 * token's result: pads are masked out as keys and real tokens get positions {@code cumsum(mask)-1},
 * so a padded row's logits equal the same row run alone.
 */
public record Batch(long[][] ids, boolean[][] mask, long[][] positions) {

    public int size() {
        return ids.length;
    }

    public int length() {
        return ids.length == 0 ? 0 : ids[0].length;
    }

    /** Columns [from, to) of every row, with their mask and positions (a prefix, or the rest after one). */
    public Batch columns(int from, int to) {
        if (from < 0 || to > length() || from >= to) {
            throw new IllegalArgumentException("columns [" + from + ", " + to + ") of a batch of length " + length());
        }
        int b = size();
        long[][] i = new long[b][];
        boolean[][] m = new boolean[b][];
        long[][] p = new long[b][];
        for (int r = 0; r < b; r++) {
            i[r] = Arrays.copyOfRange(ids[r], from, to);
            m[r] = Arrays.copyOfRange(mask[r], from, to);
            p[r] = Arrays.copyOfRange(positions[r], from, to);
        }
        return new Batch(i, m, p);
    }

    /** A batch of equal-length rows, no padding. */
    public static Batch of(long[]... rows) {
        return padded(List.of(rows), 0, true);
    }

    /** Left padding keeps every row's last token in the last column (what generation needs). */
    public static Batch leftPadded(List<long[]> rows, long padId) {
        return padded(rows, padId, true);
    }

    public static Batch rightPadded(List<long[]> rows, long padId) {
        return padded(rows, padId, false);
    }

    /** Left padding to a given length (so that two batches align position by position). */
    public static Batch leftPadded(List<long[]> rows, long padId, int length) {
        return padded(rows, padId, true, length);
    }

    private static Batch padded(List<long[]> rows, long padId, boolean left) {
        return padded(rows, padId, left, 0);
    }

    private static Batch padded(List<long[]> rows, long padId, boolean left, int minLength) {
        if (rows.isEmpty()) {
            throw new InvalidInputException("empty batch: at least one sequence of token ids is needed");
        }
        int t = minLength;
        for (long[] r : rows) {
            if (r.length == 0) {
                throw new InvalidInputException("empty sequence: every row needs at least one token");
            }
            t = Math.max(t, r.length);
        }
        int b = rows.size();
        long[][] ids = new long[b][t];
        boolean[][] mask = new boolean[b][t];
        for (int i = 0; i < b; i++) {
            long[] r = rows.get(i);
            int off = left ? t - r.length : 0;
            java.util.Arrays.fill(ids[i], padId);
            System.arraycopy(r, 0, ids[i], off, r.length);
            for (int j = 0; j < r.length; j++) {
                mask[i][off + j] = true;
            }
        }
        return new Batch(ids, mask, positionsFromMask(mask, new long[b]));
    }

    /** Positions continue from {@code start[b]}; pads get the position of the next real token. */
    static long[][] positionsFromMask(boolean[][] mask, long[] start) {
        long[][] pos = new long[mask.length][];
        for (int i = 0; i < mask.length; i++) {
            pos[i] = new long[mask[i].length];
            long seen = start[i];
            for (int j = 0; j < mask[i].length; j++) {
                if (mask[i][j]) {
                    seen++;
                }
                pos[i][j] = Math.max(seen - 1, 0);
            }
        }
        return pos;
    }
}
