package org.memcircuits.contrastive;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.memcircuits.InvalidInputException;
import org.memcircuits.contracts.ContractException;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.ScoreRecord;

/**
 * Stage-1 records (the scores JSONL) as the contrastive stage takes them: validated, deduplicated on
 * (decoded_context, decoded_completion, decoded_true_completion) keeping the first occurrence in
 * file order (pandas {@code drop_duplicates}, which the original runs on the whole table before any
 * threshold), then selected per mode.
 */
public final class ScoreRecords {
    private static final String DUPLICATE =
            "same (decoded_context, decoded_completion, decoded_true_completion) as an earlier record";

    private ScoreRecords() {}

    /** The P+G window every record of one scores file shares. */
    public record Window(int promptTokens, int generationTokens) {
        public int total() {
            return promptTokens + generationTokens;
        }
    }

    /**
     * Streams a scores JSONL: every line is validated (an error names the file, line and field),
     * duplicates are dropped and counted ({@code input_records}, filter {@code duplicate}), and only
     * records the selection accepts are held in memory (the rest counted under its filter), so a large table costs memory for the
     * selected records only (duplicates are recognised by a 192-bit digest of the three strings).
     */
    public static List<ScoreRecord> readUnique(Path file, Selection selection, ContrastiveSummary summary) {
        List<ScoreRecord> out = new ArrayList<>();
        Dedup dedup = new Dedup();
        long[] counts = new long[2]; // lines, duplicates
        Window[] window = {null};
        JsonLines.forEach(file, "scores file", (line, where) -> {
            ScoreRecord rec;
            try {
                rec = EventCodec.fromJson(line, ScoreRecord.class);
            } catch (ContractException e) {
                throw new InvalidInputException(where + ": " + e.getMessage(), e);
            }
            window[0] = check(rec, where, window[0]);
            counts[0]++;
            if (!dedup.first(rec)) {
                counts[1]++;
            } else if (selection.keep().test(rec)) {
                out.add(rec);
            }
        });
        long lines = counts[0];
        long duplicates = counts[1];
        if (lines == 0) {
            throw new InvalidInputException(file + ": no score records (expected one JSON object per line, as `circuits score` writes)");
        }
        summary.put("input_records", lines);
        summary.removed("duplicate", "records", duplicates, DUPLICATE);
        summary.removed(selection.filter(), "records", lines - duplicates - out.size(), selection.reason());
        summary.put("selected_records", (long) out.size());
        return out;
    }

    /** {@link #readUnique} for records already in memory (validated the same way). */
    public static List<ScoreRecord> deduplicate(List<ScoreRecord> records, ContrastiveSummary summary) {
        Dedup dedup = new Dedup();
        List<ScoreRecord> out = new ArrayList<>();
        Window window = null;
        for (int i = 0; i < records.size(); i++) {
            window = check(records.get(i), "record " + i, window);
            if (dedup.first(records.get(i))) {
                out.add(records.get(i));
            }
        }
        summary.put("input_records", (long) records.size());
        summary.removed("duplicate", "records", records.size() - out.size(), DUPLICATE);
        return out;
    }

    /** Keeps the unique records a selection accepts, counting the others under its filter name. */
    public static List<ScoreRecord> select(List<ScoreRecord> unique, Selection selection, ContrastiveSummary summary) {
        List<ScoreRecord> out = unique.stream().filter(selection.keep()).toList();
        summary.removed(selection.filter(), "records", unique.size() - out.size(), selection.reason());
        summary.put("selected_records", (long) out.size());
        return out;
    }

    /**
     * Highest score first; a stable sort, so ties keep file order (pandas' default sort is not
     * stable, so the original's order among equal scores is unspecified).
     */
    public static List<ScoreRecord> byScoreDescending(List<ScoreRecord> records) {
        List<ScoreRecord> out = new ArrayList<>(records);
        out.sort(Comparator.comparingDouble(ScoreRecord::memorizationScore).reversed());
        return out;
    }

    /** Which unique records a mode keeps, and the filter line that counts the rest. */
    public record Selection(Predicate<ScoreRecord> keep, String filter, String reason) {
        /** Divergence mode: memorized records, {@code score >= threshold}. */
        public static Selection memorized(double threshold) {
            return new Selection(r -> r.memorizationScore() >= threshold, "below_threshold",
                    "memorization_score < " + threshold);
        }

        /** Dataset mode: the high ({@code >= threshold}) and low ({@code <= low}) groups. */
        public static Selection highOrLow(double threshold, double low) {
            return new Selection(r -> r.memorizationScore() >= threshold || r.memorizationScore() <= low,
                    "between_groups", "memorization_score between " + low + " and " + threshold
                            + " (exclusive): neither memorized nor unmemorized");
        }
    }

    /** The shared window of a list of records (validated); null for an empty list. */
    public static Window window(List<ScoreRecord> records) {
        Window w = null;
        for (int i = 0; i < records.size(); i++) {
            w = check(records.get(i), "record " + i, w);
        }
        return w;
    }

    private static Window check(ScoreRecord r, String where, Window expected) {
        if (r.context() == null || r.context().length == 0) {
            throw new InvalidInputException(where + ": field 'context' must be a non-empty list of token ids");
        }
        if (r.trueCompletion() == null || r.trueCompletion().length == 0) {
            throw new InvalidInputException(where + ": field 'true_completion' must be a non-empty list of token ids");
        }
        if (r.completion() == null || r.completion().length != r.trueCompletion().length) {
            throw new InvalidInputException(where + ": field 'completion' must list as many token ids as 'true_completion' ("
                    + r.trueCompletion().length + ")");
        }
        if (r.decodedContext() == null) {
            throw new InvalidInputException(where + ": field 'decoded_context' is missing");
        }
        if (r.decodedCompletion() == null) {
            throw new InvalidInputException(where + ": field 'decoded_completion' is missing");
        }
        if (r.decodedTrueCompletion() == null) {
            throw new InvalidInputException(where + ": field 'decoded_true_completion' is missing");
        }
        double s = r.memorizationScore();
        if (!(s >= 0 && s <= 1)) {
            throw new InvalidInputException(where + ": field 'memorization_score' must be in [0, 1], got " + s);
        }
        for (long id : r.context()) {
            if (id < 0) {
                throw new InvalidInputException(where + ": field 'context' holds a negative token id " + id);
            }
        }
        Window w = new Window(r.context().length, r.trueCompletion().length);
        if (expected != null && !expected.equals(w)) {
            throw new InvalidInputException(where + ": fields 'context'/'true_completion' hold " + w.promptTokens() + "/"
                    + w.generationTokens() + " tokens but earlier records hold " + expected.promptTokens() + "/"
                    + expected.generationTokens() + " (one scores file has one prompt and generation length)");
        }
        return w;
    }

    /** First occurrence of each key, by a 192-bit SHA-256 prefix of the length-prefixed strings. */
    private static final class Dedup {
        private record Key(long a, long b, long c) {}

        private final Set<Key> seen = new HashSet<>();
        private final MessageDigest sha;

        Dedup() {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        boolean first(ScoreRecord r) {
            for (String s : new String[] {r.decodedContext(), r.decodedCompletion(), r.decodedTrueCompletion()}) {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                sha.update(ByteBuffer.allocate(4).putInt(b.length).array());
                sha.update(b);
            }
            ByteBuffer d = ByteBuffer.wrap(sha.digest());
            return seen.add(new Key(d.getLong(), d.getLong(), d.getLong()));
        }
    }
}
