package org.memcircuits.contrastive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A scripted {@link ContrastiveModel}: generation per sample (recognised by a prompt's first token)
 * as a function of (context length, new tokens); next-token predictions and embeddings from tables.
 * Every call is logged.
 */
final class FakeModel implements ContrastiveModel {
    /** One generate call: the prompts' length and how many rows it held. */
    record Call(int length, int rows) {}

    final Map<Long, BiFunction<Integer, Integer, long[]>> generators = new HashMap<>();
    final Map<List<Long>, Long> predictions = new HashMap<>();
    final Map<String, float[]> embeddings = new HashMap<>();
    final List<Call> calls = new ArrayList<>();
    final List<Integer> predictBatches = new ArrayList<>();
    final List<String> embedded = new ArrayList<>();

    @Override
    public long[][] generate(List<long[]> prompts, int newTokens) {
        calls.add(new Call(prompts.get(0).length, prompts.size()));
        long[][] out = new long[prompts.size()][];
        for (int i = 0; i < prompts.size(); i++) {
            long[] p = prompts.get(i);
            if (p.length != prompts.get(0).length) {
                throw new AssertionError("prompts of one call must have one length");
            }
            out[i] = generators.get(p[0]).apply(p.length, newTokens);
        }
        return out;
    }

    @Override
    public long[] predictNext(List<long[]> prompts) {
        predictBatches.add(prompts.size());
        long[] out = new long[prompts.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = predictions.getOrDefault(ids(prompts.get(i)), -1L);
        }
        return out;
    }

    @Override
    public float[][] embed(List<String> texts) {
        embedded.addAll(texts);
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = embeddings.getOrDefault(texts.get(i), new float[] {0, 0, 1});
        }
        return out;
    }

    static List<Long> ids(long[] a) {
        return Arrays.stream(a).boxed().toList();
    }
}
