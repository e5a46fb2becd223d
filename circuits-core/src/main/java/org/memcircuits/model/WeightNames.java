package org.memcircuits.model;

import org.memcircuits.InvalidInputException;
import org.memcircuits.safetensors.SafeTensorsFile;

/**
 * Hugging Face tensor names. GPT-Neo checkpoints prefix everything with {@code transformer.};
 * GPT-2 checkpoints come both with ({@code GPT2LMHeadModel}) and without ({@code GPT2Model}) it.
 */
public record WeightNames(ModelConfig.Family family, String prefix) {

    public static WeightNames canonical(ModelConfig.Family family) {
        return new WeightNames(family, family == ModelConfig.Family.GPT_NEO ? "transformer." : "");
    }

    static WeightNames detect(ModelConfig.Family family, SafeTensorsFile f) {
        for (String p : new String[] {"transformer.", ""}) {
            if (f.contains(p + "wte.weight")) {
                return new WeightNames(family, p);
            }
        }
        throw new InvalidInputException(f.path() + ": no token embedding found (expected 'transformer.wte.weight' or "
                + "'wte.weight'); is this a " + family.modelType + " checkpoint?");
    }

    public String wte() {
        return prefix + "wte.weight";
    }

    public String wpe() {
        return prefix + "wpe.weight";
    }

    public String lmHead() {
        return "lm_head.weight";
    }

    public String lnf(String param) {
        return prefix + "ln_f." + param;
    }

    public String layer(int i, String suffix) {
        return prefix + "h." + i + "." + suffix;
    }
}
