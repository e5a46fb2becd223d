package org.memcircuits.circuit;

/**
 * Denoising: the corrupt run with the circuit restored from the clean run (0 edges = corrupt, all =
 * clean). Noising ("reverse_clean_corrupt"): the clean run with the circuit corrupted (0 edges =
 * clean, all = corrupt).
 */
public enum Direction {
    DENOISING,
    NOISING;

    public static Direction parse(String s) {
        return valueOf(s.trim().toUpperCase());
    }
}
