package org.memcircuits.contrastive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.memcircuits.InvalidInputException;
import org.memcircuits.contracts.ScoreRecord;

/**
 * The branch decision search ({@code find_minimum_context_for_memorization}): for each memorized
 * sample, shorten its context one token at a time from P down to 1, greedily regenerate the rest
 * of the P+G window (exactly {@code P+G-L} tokens) and score it against the true window with
 * smoothed BLEU-4 on token ids. The branch is the first length L whose score drops by more than
 * {@code dropThreshold} relative to the previous length's (L+1, or 1.0 for L = P) <em>and</em> whose
 * first generated token differs from the true one. Once found, a sample's score is frozen, and a
 * sample never found takes the full context (position P, scores 1.0).
 *
 * <p>Samples are processed in chunks of {@code batchSize} in the given order (the original's
 * batches); at each length only the samples still searching are generated, in one batched call,
 * and a chunk ends as soon as all its samples are found: a found sample is never regenerated, which
 * the original did (its result was discarded). The scores, their relative drop and the
 * {@code > dropThreshold} comparison are computed in float32, as the original's torch tensors are,
 * so borderline drops decide the same way; BLEU itself is computed in double, as Python does.
 */
public final class DivergenceSearch {
    public static final double DEFAULT_DROP_THRESHOLD = 0.3;

    /** Told after each chunk: samples done so far, of the total. */
    @FunctionalInterface
    public interface Progress {
        void samples(int done, int total);
    }

    /** The samples in input order, with how much generation the search ran. */
    public record Outcome(List<Divergence> samples, long generateCalls, long rowsGenerated, long tokensGenerated) {}

    private final ContrastiveModel model;
    private final int batchSize;
    private final double dropThreshold;

    public DivergenceSearch(ContrastiveModel model, int batchSize, double dropThreshold) {
        if (batchSize < 1) {
            throw new InvalidInputException("batch size must be positive, got " + batchSize);
        }
        if (!(dropThreshold > 0 && dropThreshold < 1)) {
            throw new InvalidInputException("drop threshold must be in (0, 1), got " + dropThreshold);
        }
        this.model = model;
        this.batchSize = batchSize;
        this.dropThreshold = dropThreshold;
    }

    public Outcome run(List<ScoreRecord> samples, Progress progress) {
        ScoreRecords.window(samples);
        List<Divergence> out = new ArrayList<>(samples.size());
        long[] work = new long[3];
        for (int s = 0; s < samples.size(); s += batchSize) {
            out.addAll(chunk(samples.subList(s, Math.min(samples.size(), s + batchSize)), work));
            progress.samples(out.size(), samples.size());
        }
        return new Outcome(out, work[0], work[1], work[2]);
    }

    private List<Divergence> chunk(List<ScoreRecord> recs, long[] work) {
        int n = recs.size();
        int p = recs.get(0).context().length;
        int total = p + recs.get(0).trueCompletion().length;
        long[][] whole = new long[n][];
        for (int i = 0; i < n; i++) {
            long[] w = Arrays.copyOf(recs.get(i).context(), total);
            System.arraycopy(recs.get(i).trueCompletion(), 0, w, p, total - p);
            whole[i] = w;
        }
        float threshold = (float) dropThreshold;
        float[] prev = new float[n];
        Arrays.fill(prev, 1f);
        int[] found = new int[n];
        float[] before = new float[n];
        float[] after = new float[n];
        Arrays.fill(before, 1f);
        Arrays.fill(after, 1f);
        long[][] atFound = new long[n][];
        long[][] atFull = new long[n][];
        int[] tried = new int[n];
        for (int len = p; len >= 1; len--) {
            List<Integer> active = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (found[i] == 0) {
                    active.add(i);
                }
            }
            if (active.isEmpty()) {
                break;
            }
            List<long[]> prompts = new ArrayList<>(active.size());
            for (int i : active) {
                prompts.add(Arrays.copyOf(whole[i], len));
            }
            long[][] gen = model.generate(prompts, total - len);
            work[0]++;
            work[1] += active.size();
            work[2] += (long) active.size() * (total - len);
            for (int a = 0; a < active.size(); a++) {
                int i = active.get(a);
                long[] cont = gen[a];
                if (cont.length != total - len) {
                    throw new IllegalStateException("generation returned " + cont.length + " tokens, expected " + (total - len));
                }
                tried[i]++;
                if (len == p) {
                    atFull[i] = cont;
                }
                long[] truth = Arrays.copyOfRange(whole[i], len, total);
                float bleu = (float) Bleu4.smoothed(truth, cont);
                float drop = (prev[i] - bleu) / prev[i];
                if (drop > threshold && cont[0] != truth[0]) {
                    found[i] = len;
                    before[i] = prev[i];
                    after[i] = bleu;
                    atFound[i] = cont;
                }
                prev[i] = bleu;
            }
        }
        List<Divergence> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            boolean f = found[i] != 0;
            out.add(new Divergence(recs.get(i), f ? found[i] : p, f, f ? atFound[i] : atFull[i], before[i], after[i], tried[i]));
        }
        return out;
    }
}
