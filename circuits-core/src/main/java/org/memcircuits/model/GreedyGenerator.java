package org.memcircuits.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import org.memcircuits.InvalidInputException;

/**
 * Batched greedy decoding with a preallocated KV cache. Produces exactly {@code newTokens} tokens
 * per row (HF {@code min_new_tokens = max_new_tokens}), as memorization scoring requires; with
 * {@code stopAtEos} a row that emitted EOS is filled with EOS and the loop ends once all rows have.
 */
public final class GreedyGenerator {
    private final GptModel model;

    public GreedyGenerator(GptModel model) {
        this.model = model;
    }

    /** Told the wall time of each decoding step (step 0 includes the prompt's prefill). */
    @FunctionalInterface
    public interface StepListener {
        void step(int index, long nanos);
    }

    /** Generates for left-padded prompts; returns the new tokens only, [B][newTokens]. */
    public long[][] generate(Batch prompts, int newTokens, boolean stopAtEos) {
        return generate(prompts, newTokens, stopAtEos, (i, n) -> {});
    }

    public long[][] generate(Batch prompts, int newTokens, boolean stopAtEos, StepListener listener) {
        if (newTokens < 0) {
            throw new InvalidInputException("new token count must be >= 0, got " + newTokens);
        }
        int b = prompts.size();
        long[][] out = new long[b][newTokens];
        if (newTokens == 0) {
            return out;
        }
        long[] nextPos = new long[b];
        for (int i = 0; i < b; i++) {
            nextPos[i] = prompts.positions()[i][prompts.length() - 1] + (prompts.mask()[i][prompts.length() - 1] ? 1 : 0);
            if (nextPos[i] + newTokens - 1 >= model.config().maxPositions()) {
                throw new InvalidInputException("prompt of " + nextPos[i] + " tokens plus " + newTokens
                        + " new tokens exceeds max_position_embeddings " + model.config().maxPositions());
            }
        }
        long eos = model.config().eosTokenId();
        boolean[] done = new boolean[b];
        try (NDManager cacheManager = model.newManager()) {
            KvCache cache = new KvCache(cacheManager, model.config(), b, prompts.length() + newTokens, model.dataType());
            Batch step = prompts;
            for (int s = 0; s < newTokens; s++) {
                long[] next;
                long t0 = System.nanoTime();
                try (NDManager m = cacheManager.newSubManager()) {
                    NDArray hidden = model.hidden(m, step, ForwardHooks.NONE, cache);
                    NDArray last = hidden.get(":, -1, :");
                    next = model.unembed(last).argMax(1).toLongArray();
                }
                listener.step(s, System.nanoTime() - t0);
                boolean allDone = true;
                for (int i = 0; i < b; i++) {
                    if (stopAtEos && done[i]) {
                        next[i] = eos;
                    }
                    out[i][s] = next[i];
                    done[i] |= next[i] == eos;
                    allDone &= done[i];
                }
                if (stopAtEos && allDone) {
                    for (long[] row : out) {
                        Arrays.fill(row, s + 1, newTokens, eos);
                    }
                    break;
                }
                step = nextStep(next, nextPos, s);
            }
        }
        return out;
    }

    private static Batch nextStep(long[] next, long[] nextPos, int s) {
        int b = next.length;
        long[][] ids = new long[b][1];
        boolean[][] mask = new boolean[b][1];
        long[][] pos = new long[b][1];
        for (int i = 0; i < b; i++) {
            ids[i][0] = next[i];
            mask[i][0] = true;
            pos[i][0] = nextPos[i] + s;
        }
        return new Batch(ids, mask, pos);
    }
}
