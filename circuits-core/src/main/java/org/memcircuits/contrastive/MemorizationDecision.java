package org.memcircuits.contrastive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.memcircuits.InvalidInputException;
import org.memcircuits.contracts.ScoreRecord;
import org.memcircuits.tokenizer.Gpt2Tokenizer;

/**
 * The memorization-decision dataset ({@code --contrastive_mode dataset}): memorized contexts
 * ("high", score >= threshold) paired with unmemorized ones ("low", score <= 0) that resemble them.
 *
 * <p><b>With divergence data</b> ({@link #withDivergence}, the latest original): divergence rows
 * with {@code score_before >= 0.75} are joined to the high records by string equality of their
 * rebuilt full context ({@code minimal_context + join(next_gt_tokens[:P - d])}) with
 * {@code decoded_context}, so a row whose per-token decoding does not concatenate back to the
 * context (a character split across tokens) joins nothing, as in the original (counted). For each
 * joined high record with branch position {@code d < P - 1}, the candidates are the low records
 * sharing the memorized token {@code context[d]} at position d; they are ranked by similarity of
 * {@code context[:d]} (highest first; ties in record order), and the first on which the model
 * greedily predicts that token from its own {@code context[:d]} ids becomes the corrupt prompt.
 * clean = decode(high context[:d]), corrupt = decode(low context[:d]), answers = the model's token
 * at the branch ({@code next_generated_tokens[0]}), wrong_answers = the memorized one
 * ({@code next_gt_tokens[0]}). A low record may serve several high ones, as in the original.
 * Candidates are checked in similarity order in batches (a batch is only run if no earlier one
 * matched), and embeddings and predictions are cached per (low record, d).
 *
 * <p><b>Without divergence data</b> ({@link #withoutDivergence}): the older semantics, since the
 * newest original's fallback path is broken. For each of the first {@code maxPairs} high records in
 * file order, the most similar <em>unused</em> low record over the full decoded contexts (greedy
 * one-to-one matching; ties go to the first); answers = [first token of the high record's
 * completion], wrong_answers = [first token of the low record's]. Deliberate differences: model
 * embeddings (or Jaccard) stand in for the older {@code all-MiniLM-L6-v2} sentence embeddings,
 * which are not available offline; and "unused" is tracked exactly, where the original multiplied
 * similarities by a 0/1 mask (so a used record could win over unused ones with negative similarity).
 *
 * <p>In both modes clean and corrupt that re-tokenize to different lengths are counted and
 * <em>kept</em> unless {@code filterLengthMismatch} (discovery left-pads them with an attention
 * mask); the original checked lengths only without divergence data, and there dropped them
 * (leaving the low record available). Pairs are sorted by similarity, highest first (stable).
 */
public final class MemorizationDecision {
    /** The original's fixed {@code score_before >= 0.75} filter on divergence rows. */
    public static final double DEFAULT_MIN_SCORE_BEFORE = 0.75;
    /** The older version's {@code max_pairs}: high records considered without divergence data. */
    public static final int DEFAULT_MAX_PAIRS = 1000;

    /**
     * @param threshold high group: {@code memorization_score >= threshold}
     * @param lowThreshold low group: {@code memorization_score <= lowThreshold} (0: no token matched)
     * @param minScoreBefore divergence rows kept: {@code score_before >= minScoreBefore}
     * @param batchSize candidates checked per model call
     */
    public record Options(double threshold, double lowThreshold, double minScoreBefore, Similarity similarity,
            boolean filterLengthMismatch, int maxPairs, int batchSize) {
        public Options {
            if (!(threshold > lowThreshold)) {
                throw new InvalidInputException("threshold " + threshold + " must exceed the low threshold " + lowThreshold);
            }
            if (maxPairs < 0 || batchSize < 1) {
                throw new InvalidInputException("max pairs must be >= 0 and batch size positive, got " + maxPairs + ", " + batchSize);
            }
        }

        public static Options defaults(double threshold) {
            return new Options(threshold, 0.0, DEFAULT_MIN_SCORE_BEFORE, Similarity.EMBEDDING, false, DEFAULT_MAX_PAIRS, 32);
        }

        public Options with(Similarity s) {
            return new Options(threshold, lowThreshold, minScoreBefore, s, filterLengthMismatch, maxPairs, batchSize);
        }

        public Options filteringLengthMismatch(boolean f) {
            return new Options(threshold, lowThreshold, minScoreBefore, similarity, f, maxPairs, batchSize);
        }

        public Options withMaxPairs(int m) {
            return new Options(threshold, lowThreshold, minScoreBefore, similarity, filterLengthMismatch, m, batchSize);
        }

        public Options withBatchSize(int b) {
            return new Options(threshold, lowThreshold, minScoreBefore, similarity, filterLengthMismatch, maxPairs, b);
        }
    }

    private final ContrastiveModel model;
    private final Gpt2Tokenizer tok;
    private final Options options;
    private final Map<Long, float[]> lowEmbeddings = new HashMap<>();
    private final Map<Long, Long> lowPredictions = new HashMap<>();
    private long predictionsRun;
    private long embeddingsRun;

    private MemorizationDecision(ContrastiveModel model, Gpt2Tokenizer tok, Options options) {
        this.model = model;
        this.tok = tok;
        this.options = options;
    }

    /** §5a: pairs at the branch position found by the divergence search. */
    public static List<ContrastivePair> withDivergence(List<ScoreRecord> unique, List<DivergenceRecord> divergence,
            ContrastiveModel model, Gpt2Tokenizer tok, Options options, ContrastiveSummary summary) {
        return new MemorizationDecision(model, tok, options).branchPairs(unique, divergence, summary);
    }

    /** §5b: greedy one-to-one matching of whole contexts. */
    public static List<ContrastivePair> withoutDivergence(List<ScoreRecord> unique, ContrastiveModel model, Gpt2Tokenizer tok,
            Options options, ContrastiveSummary summary) {
        return new MemorizationDecision(model, tok, options).greedyPairs(unique, summary);
    }

    private record Entry(ScoreRecord high, DivergenceRecord row, int d, long target, List<Integer> candidates) {}

    private List<ContrastivePair> branchPairs(List<ScoreRecord> unique, List<DivergenceRecord> divergence,
            ContrastiveSummary summary) {
        List<ScoreRecord> high = unique.stream().filter(r -> r.memorizationScore() >= options.threshold()).toList();
        List<ScoreRecord> low = unique.stream().filter(r -> r.memorizationScore() <= options.lowThreshold()).toList();
        ScoreRecords.Window window = ScoreRecords.window(unique);
        int p = window == null ? 0 : window.promptTokens();
        summary.put("similarity", options.similarity().id);
        summary.put("high_records", (long) high.size());
        summary.put("low_records", (long) low.size());
        summary.put("divergence_rows", (long) divergence.size());

        List<DivergenceRecord> kept = divergence.stream().filter(r -> r.scoreBefore() >= options.minScoreBefore()).toList();
        summary.removed("score_before_below", "divergence rows", divergence.size() - kept.size(),
                "score_before < " + options.minScoreBefore() + ": the memorized continuation was not reproduced well"
                        + " before the branch");
        Map<String, List<DivergenceRecord>> byContext = new LinkedHashMap<>();
        for (DivergenceRecord r : kept) {
            byContext.computeIfAbsent(fullContext(r, p), k -> new ArrayList<>()).add(r);
        }
        // A pandas left join: each high record meets every row with its context, in row order.
        List<Entry> entries = new ArrayList<>();
        long unjoined = 0;
        Set<String> joinedContexts = new HashSet<>();
        for (ScoreRecord h : high) {
            List<DivergenceRecord> rows = byContext.get(h.decodedContext());
            if (rows == null) {
                unjoined++;
                continue;
            }
            joinedContexts.add(h.decodedContext());
            for (DivergenceRecord r : rows) {
                entries.add(new Entry(h, r, (int) r.divergingPosition(), -1, List.of()));
            }
        }
        summary.removed("no_divergence_data", "records", unjoined,
                "memorized record that no kept divergence row joins: no row rebuilds its decoded_context (not in the"
                        + " divergence file, score_before too low, or per-token decoding that does not concatenate back)");
        long unmatchedRows = 0;
        for (Map.Entry<String, List<DivergenceRecord>> e : byContext.entrySet()) {
            if (!joinedContexts.contains(e.getKey())) {
                unmatchedRows += e.getValue().size();
            }
        }
        summary.put("divergence_rows_unmatched", unmatchedRows);
        summary.put("joined_samples", (long) entries.size());

        List<Entry> ready = new ArrayList<>();
        long atEnd = 0;
        long noCandidate = 0;
        for (Entry e : entries) {
            long[] ctx = e.high().context();
            if (!(e.d() < ctx.length - 1)) {
                atEnd++;
                continue;
            }
            long target = ctx[e.d()];
            List<Integer> cands = new ArrayList<>();
            for (int j = 0; j < low.size(); j++) {
                long[] lc = low.get(j).context();
                if (e.d() < lc.length && lc[e.d()] == target) {
                    cands.add(j);
                }
            }
            if (cands.isEmpty()) {
                noCandidate++;
                continue;
            }
            ready.add(new Entry(e.high(), e.row(), e.d(), target, cands));
        }
        summary.removed("branch_at_context_end", "samples", atEnd,
                "diverging_position >= P - 1 (includes samples whose search found no branch and kept the full context)");
        summary.removed("no_candidate_sharing_branch_token", "samples", noCandidate,
                "no unmemorized record has the memorized token at the branch position");

        float[][] highEmb = null;
        if (options.similarity() == Similarity.EMBEDDING && !ready.isEmpty()) {
            List<String> texts = ready.stream().map(e -> tok.decode(Arrays.copyOf(e.high().context(), e.d()), false)).toList();
            highEmb = model.embed(texts);
            embeddingsRun += texts.size();
        }
        List<ContrastivePair> pairs = new ArrayList<>();
        long noPrediction = 0;
        long mismatch = 0;
        for (int k = 0; k < ready.size(); k++) {
            Entry e = ready.get(k);
            long[] highIds = Arrays.copyOf(e.high().context(), e.d());
            double[] sims = new double[e.candidates().size()];
            if (options.similarity() == Similarity.EMBEDDING) {
                List<float[]> embs = lowEmbeddings(low, e.candidates(), e.d(), p);
                for (int c = 0; c < sims.length; c++) {
                    sims[c] = Similarity.cosine(highEmb[k], embs.get(c));
                }
            } else {
                for (int c = 0; c < sims.length; c++) {
                    sims[c] = Similarity.jaccard(highIds, Arrays.copyOf(low.get(e.candidates().get(c)).context(), e.d()));
                }
            }
            Integer[] order = rank(sims);
            int pick = firstPredicting(low, e.candidates(), order, e.d(), e.target(), p);
            if (pick < 0) {
                noPrediction++;
                continue;
            }
            ScoreRecord lowRec = low.get(e.candidates().get(pick));
            String clean = tok.decode(highIds, false);
            String corrupt = tok.decode(Arrays.copyOf(lowRec.context(), e.d()), false);
            if (BranchDecision.encode(tok, clean).length != BranchDecision.encode(tok, corrupt).length) {
                mismatch++;
                if (options.filterLengthMismatch()) {
                    continue;
                }
            }
            pairs.add(new ContrastivePair(clean, corrupt, List.of(e.row().nextGeneratedTokens().get(0)),
                    List.of(e.row().nextGtTokens().get(0)), sims[pick], e.d()));
        }
        summary.removed("no_candidate_predicting_branch_token", "samples", noPrediction,
                "no candidate's own context makes the model predict the memorized token greedily");
        summary.filter("length_mismatch", "pairs", mismatch, options.filterLengthMismatch(), BranchDecision.LENGTH_MISMATCH);
        summary.put("embeddings_run", embeddingsRun);
        summary.put("predictions_run", predictionsRun);
        return sorted(pairs, summary);
    }

    private List<ContrastivePair> greedyPairs(List<ScoreRecord> unique, ContrastiveSummary summary) {
        List<ScoreRecord> high = unique.stream().filter(r -> r.memorizationScore() >= options.threshold()).toList();
        List<ScoreRecord> low = unique.stream().filter(r -> r.memorizationScore() <= options.lowThreshold()).toList();
        summary.put("similarity", options.similarity().id);
        summary.put("high_records", (long) high.size());
        summary.put("low_records", (long) low.size());
        List<ScoreRecord> considered = high.subList(0, Math.min(high.size(), options.maxPairs()));
        summary.removed("beyond_max_pairs", "records", high.size() - considered.size(),
                "memorized records after the first " + options.maxPairs() + " (max pairs)");
        float[][] highEmb = null;
        float[][] lowEmb = null;
        if (options.similarity() == Similarity.EMBEDDING && !considered.isEmpty() && !low.isEmpty()) {
            highEmb = model.embed(considered.stream().map(ScoreRecord::decodedContext).toList());
            lowEmb = model.embed(low.stream().map(ScoreRecord::decodedContext).toList());
            embeddingsRun += considered.size() + low.size();
        }
        boolean[] used = new boolean[low.size()];
        int usedCount = 0;
        long exhausted = 0;
        long mismatch = 0;
        List<ContrastivePair> pairs = new ArrayList<>();
        for (int i = 0; i < considered.size(); i++) {
            if (usedCount == low.size()) {
                exhausted++;
                continue;
            }
            ScoreRecord h = considered.get(i);
            int best = -1;
            double bestSim = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < low.size(); j++) {
                if (used[j]) {
                    continue;
                }
                double s = options.similarity() == Similarity.EMBEDDING
                        ? Similarity.cosine(highEmb[i], lowEmb[j])
                        : Similarity.jaccard(h.context(), low.get(j).context());
                if (best < 0 || s > bestSim) {
                    best = j;
                    bestSim = s;
                }
            }
            ScoreRecord l = low.get(best);
            if (BranchDecision.encode(tok, h.decodedContext()).length != BranchDecision.encode(tok, l.decodedContext()).length) {
                mismatch++;
                if (options.filterLengthMismatch()) {
                    continue; // as the original: the low record stays available
                }
            }
            used[best] = true;
            usedCount++;
            pairs.add(new ContrastivePair(h.decodedContext(), l.decodedContext(),
                    List.of(tok.decode(new long[] {h.completion()[0]}, false)),
                    List.of(tok.decode(new long[] {l.completion()[0]}, false)), bestSim, null));
        }
        summary.removed("no_unused_low_record", "records", exhausted,
                "no unmemorized record left to pair (all already paired one-to-one, or none exist)");
        summary.filter("length_mismatch", "pairs", mismatch, options.filterLengthMismatch(), BranchDecision.LENGTH_MISMATCH);
        summary.put("embeddings_run", embeddingsRun);
        return sorted(pairs, summary);
    }

    private static List<ContrastivePair> sorted(List<ContrastivePair> pairs, ContrastiveSummary summary) {
        List<ContrastivePair> out = new ArrayList<>(pairs);
        out.sort(Comparator.comparingDouble(ContrastivePair::similarityScore).reversed());
        summary.put("pairs", (long) out.size());
        return out;
    }

    /** {@code minimal_context + "".join(next_gt_tokens[:P - d])}, with Python's slice semantics. */
    static String fullContext(DivergenceRecord r, int p) {
        List<String> gt = r.nextGtTokens();
        int n = p - (int) r.divergingPosition();
        int end = n >= 0 ? Math.min(n, gt.size()) : Math.max(0, gt.size() + n);
        StringBuilder b = new StringBuilder(r.minimalContext());
        for (int i = 0; i < end; i++) {
            b.append(gt.get(i));
        }
        return b.toString();
    }

    /** Indices by similarity, highest first; ties keep candidate order. */
    private static Integer[] rank(double[] sims) {
        Integer[] order = new Integer[sims.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(sims[b], sims[a]));
        return order;
    }

    private static long key(int lowIndex, int d, int p) {
        return (long) lowIndex * (p + 1) + d;
    }

    private List<float[]> lowEmbeddings(List<ScoreRecord> low, List<Integer> cands, int d, int p) {
        List<Integer> missing = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int j : cands) {
            if (!lowEmbeddings.containsKey(key(j, d, p))) {
                missing.add(j);
                texts.add(tok.decode(Arrays.copyOf(low.get(j).context(), d), false));
            }
        }
        if (!texts.isEmpty()) {
            float[][] e = model.embed(texts);
            embeddingsRun += texts.size();
            for (int i = 0; i < missing.size(); i++) {
                lowEmbeddings.put(key(missing.get(i), d, p), e[i]);
            }
        }
        return cands.stream().map(j -> lowEmbeddings.get(key(j, d, p))).toList();
    }

    /** The first candidate (in rank order) whose context[:d] makes the model predict target, or -1. */
    private int firstPredicting(List<ScoreRecord> low, List<Integer> cands, Integer[] order, int d, long target, int p) {
        for (int s = 0; s < order.length; s += options.batchSize()) {
            int e = Math.min(order.length, s + options.batchSize());
            List<Integer> missing = new ArrayList<>();
            List<long[]> prompts = new ArrayList<>();
            for (int r = s; r < e; r++) {
                int j = cands.get(order[r]);
                if (!lowPredictions.containsKey(key(j, d, p))) {
                    missing.add(j);
                    prompts.add(Arrays.copyOf(low.get(j).context(), d));
                }
            }
            if (!prompts.isEmpty()) {
                long[] next = model.predictNext(prompts);
                predictionsRun += prompts.size();
                for (int i = 0; i < missing.size(); i++) {
                    lowPredictions.put(key(missing.get(i), d, p), next[i]);
                }
            }
            for (int r = s; r < e; r++) {
                if (lowPredictions.get(key(cands.get(order[r]), d, p)) == target) {
                    return order[r];
                }
            }
        }
        return -1;
    }
}
