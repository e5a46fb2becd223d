package org.memcircuits.circuit;

/**
 * EDGE: the circuit's edges are patched (mask 1 inside the circuit). TREE: everything outside the
 * circuit is patched (EAP-IG's evaluate_graph).
 */
public enum PatchType {
    EDGE,
    TREE;

    public static PatchType parse(String s) {
        String v = s.trim().toUpperCase();
        return valueOf(v.endsWith("_PATCH") ? v.substring(0, v.length() - 6) : v);
    }
}
