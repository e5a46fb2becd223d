package org.memcircuits.model;

import java.util.ArrayList;
import java.util.List;
import org.memcircuits.InvalidInputException;

/** Architectures {@code circuits init-model} can build with random weights. */
public enum ModelPreset {
    /** GPT-Neo-125M's exact shape: 12 layers alternating global/local (window 256). */
    GPT_NEO_125M("gpt-neo-125m"),
    /** GPT-2 small: 12 layers, 768 wide, scaled attention with biases. */
    GPT2_SMALL("gpt2-small"),
    /** A 2-layer GPT-Neo with a local layer whose window (8) is shorter than test sequences. */
    TINY("tiny");

    public final String id;

    ModelPreset(String id) {
        this.id = id;
    }

    public static ModelPreset byId(String id) {
        for (ModelPreset p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw new InvalidInputException("unknown preset '" + id + "' (expected gpt-neo-125m, gpt2-small or tiny)");
    }

    public ModelConfig config() {
        return switch (this) {
            case GPT_NEO_125M -> new ModelConfig(ModelConfig.Family.GPT_NEO, 50257, 768, 12, 12, 3072, 2048, 1e-5,
                    alternating(12), 256, false, false, 50256, 50256);
            case GPT2_SMALL -> new ModelConfig(ModelConfig.Family.GPT2, 50257, 768, 12, 12, 3072, 1024, 1e-5,
                    List.copyOf(new ArrayList<>(java.util.Collections.nCopies(12, false))), 0, true, false, 50256, 50256);
            case TINY -> new ModelConfig(ModelConfig.Family.GPT_NEO, 50257, 64, 2, 4, 256, 512, 1e-5,
                    alternating(2), 8, false, false, 50256, 50256);
        };
    }

    private static List<Boolean> alternating(int n) {
        List<Boolean> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(i % 2 == 1);
        }
        return List.copyOf(l);
    }
}
