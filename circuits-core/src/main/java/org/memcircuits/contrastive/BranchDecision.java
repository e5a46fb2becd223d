package org.memcircuits.contrastive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.memcircuits.tokenizer.Gpt2Tokenizer;

/**
 * The branch-decision dataset ({@code save_autocircuit_ds} and {@code save_jsonl}) from the
 * divergence search's results. For each sample, with {@code gt = whole[pos:]} and {@code gen} the
 * continuation generated from {@code context[:pos]}:
 *
 * <ul>
 *   <li>{@code gt[0] == gen[0]}: no branch, so no pair and no side-file row (filter
 *       {@code same_first_token}; typically samples whose search found nothing and fell back to
 *       the full context);
 *   <li>otherwise one side-file row; then {@code gt[1] == gen[1]} gives no pair (filter
 *       {@code same_second_token}: clean and corrupt would have the same answer);
 *   <li>clean = decode(context[:pos] ++ gt[0]), corrupt = decode(context[:pos] ++ gen[0]),
 *       answers = [decode(gt[1])], wrong_answers = [decode(gen[1])] (special tokens kept);
 *   <li>the strings are re-encoded, as every later stage reads them: a clean or corrupt string
 *       whose tokens differ from the ids it came from is counted ({@code clean_round_trip_changed},
 *       {@code corrupt_round_trip_changed}), and so is an answer that is no longer one token;
 *   <li>pairs whose clean and corrupt re-encode to different lengths (filter {@code length_mismatch})
 *       are <em>kept by default</em>, a deliberate difference from the original, which dropped them:
 *       discovery left-pads clean and corrupt with an attention mask, so unequal lengths are valid
 *       input; {@code filterLengthMismatch} restores the original's behaviour. Either way they are
 *       counted;
 *   <li>pairs equal in (clean, corrupt, answer, wrong answer) to an earlier one are dropped (filter
 *       {@code duplicate_pair}).
 * </ul>
 */
public final class BranchDecision {
    private BranchDecision() {}

    public record Result(List<ContrastivePair> prompts, List<DivergenceRecord> divergence) {}

    public static Result build(List<Divergence> samples, Gpt2Tokenizer tok, boolean filterLengthMismatch,
            ContrastiveSummary summary) {
        List<ContrastivePair> prompts = new ArrayList<>();
        List<DivergenceRecord> rows = new ArrayList<>();
        Set<List<String>> seen = new HashSet<>();
        Map<Integer, Long> positions = new TreeMap<>();
        long found = 0;
        long sameFirst = 0;
        long noSecond = 0;
        long sameSecond = 0;
        long mismatch = 0;
        long duplicates = 0;
        long cleanChanged = 0;
        long corruptChanged = 0;
        long answerNotOne = 0;
        long wrongNotOne = 0;
        for (Divergence d : samples) {
            found += d.found() ? 1 : 0;
            positions.merge(d.position(), 1L, Long::sum);
            long[] gt = d.nextGroundTruth();
            long[] gen = d.generated();
            long[] ctx = d.minimalContext();
            if (gt[0] == gen[0]) {
                sameFirst++;
                continue;
            }
            rows.add(new DivergenceRecord(tok.decode(ctx, false), tok.decodeEach(gt), tok.decodeEach(gen), d.position(),
                    d.scoreBefore(), d.scoreAfter()));
            if (gt.length < 2 || gen.length < 2) {
                noSecond++;
                continue;
            }
            if (gt[1] == gen[1]) {
                sameSecond++;
                continue;
            }
            long[] cleanIds = append(ctx, gt[0]);
            long[] corruptIds = append(ctx, gen[0]);
            String clean = tok.decode(cleanIds, false);
            String corrupt = tok.decode(corruptIds, false);
            String answer = tok.decode(new long[] {gt[1]}, false);
            String wrong = tok.decode(new long[] {gen[1]}, false);
            long[] cleanAgain = encode(tok, clean);
            long[] corruptAgain = encode(tok, corrupt);
            cleanChanged += Arrays.equals(cleanAgain, cleanIds) ? 0 : 1;
            corruptChanged += Arrays.equals(corruptAgain, corruptIds) ? 0 : 1;
            answerNotOne += encode(tok, answer).length == 1 ? 0 : 1;
            wrongNotOne += encode(tok, wrong).length == 1 ? 0 : 1;
            if (cleanAgain.length != corruptAgain.length) {
                mismatch++;
                if (filterLengthMismatch) {
                    continue;
                }
            }
            if (!seen.add(List.of(clean, corrupt, answer, wrong))) {
                duplicates++;
                continue;
            }
            prompts.add(ContrastivePair.of(clean, corrupt, answer, wrong));
        }
        summary.put("samples", (long) samples.size());
        summary.put("branch_found", found);
        summary.put("no_branch_found_full_context", samples.size() - found);
        Map<String, Long> hist = new TreeMap<>((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
        positions.forEach((k, v) -> hist.put(Integer.toString(k), v));
        summary.put("diverging_positions", hist);
        summary.removed("same_first_token", "samples", sameFirst,
                "the first generated token equals the true one at the branch position, so there is no branch to contrast"
                        + " (no side-file row, no pair)");
        summary.put("divergence_rows", (long) rows.size());
        summary.removed("no_second_token", "samples", noSecond, "fewer than two tokens after the branch: no answer token");
        summary.removed("same_second_token", "samples", sameSecond,
                "the true and the generated continuation agree on the token after the branch: the answers would be equal");
        summary.put("clean_round_trip_changed", cleanChanged);
        summary.put("corrupt_round_trip_changed", corruptChanged);
        summary.put("answer_not_one_token", answerNotOne);
        summary.put("wrong_answer_not_one_token", wrongNotOne);
        summary.filter("length_mismatch", "pairs", mismatch, filterLengthMismatch, LENGTH_MISMATCH);
        summary.removed("duplicate_pair", "pairs", duplicates, "same (clean, corrupt, answer, wrong answer) as an earlier pair");
        summary.put("pairs", (long) prompts.size());
        return new Result(prompts, rows);
    }

    static final String LENGTH_MISMATCH = "clean and corrupt re-tokenize to different lengths; kept unless"
            + " --filter-length-mismatch (discovery left-pads them with an attention mask)";

    /** Token ids of a string as later stages see it; an empty string has none. */
    static long[] encode(Gpt2Tokenizer tok, String s) {
        return s == null || s.isEmpty() ? new long[0] : tok.encode(s);
    }

    private static long[] append(long[] a, long x) {
        long[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = x;
        return r;
    }
}
