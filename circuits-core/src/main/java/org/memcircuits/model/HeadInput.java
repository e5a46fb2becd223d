package org.memcircuits.model;

/** Which of an attention head's three inputs a destination is (EAP-IG's {@code <q>/<k>/<v>}). */
public enum HeadInput {
    Q("q"),
    K("k"),
    V("v");

    public final String letter;

    HeadInput(String letter) {
        this.letter = letter;
    }
}
