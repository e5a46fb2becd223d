package org.memcircuits.contrastive;

import java.util.HashSet;
import java.util.Set;
import org.memcircuits.InvalidInputException;

/** How a memorized context is matched with unmemorized ones in the memorization-decision dataset. */
public enum Similarity {
    /**
     * Cosine similarity of the model's mean last hidden state over the text's tokens (the final
     * version's {@code sim_metric = "embedding"}).
     */
    EMBEDDING("embedding"),
    /** Jaccard similarity of the two token-id sets (the original's {@code token_overlap}). */
    JACCARD("jaccard");

    public final String id;

    Similarity(String id) {
        this.id = id;
    }

    public static Similarity parse(String s) {
        for (Similarity v : values()) {
            if (v.id.equals(s)) {
                return v;
            }
        }
        if ("token_overlap".equals(s)) {
            return JACCARD;
        }
        throw new InvalidInputException("--similarity: unknown value '" + s + "' (expected embedding or jaccard)");
    }

    /**
     * torch's {@code cosine_similarity}: the dot product over the product of the norms, the latter
     * clamped below at eps = 1e-8 (so a zero vector has similarity 0). Computed in double.
     */
    public static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(Math.max(na * nb, 1e-16));
    }

    /** |A ∩ B| / |A ∪ B| of the token-id sets; 0 when both are empty. */
    public static double jaccard(long[] a, long[] b) {
        Set<Long> sa = new HashSet<>();
        for (long x : a) {
            sa.add(x);
        }
        Set<Long> sb = new HashSet<>();
        for (long x : b) {
            sb.add(x);
        }
        Set<Long> union = new HashSet<>(sa);
        union.addAll(sb);
        if (union.isEmpty()) {
            return 0.0;
        }
        sa.retainAll(sb);
        return (double) sa.size() / union.size();
    }
}
