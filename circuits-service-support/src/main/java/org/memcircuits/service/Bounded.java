package org.memcircuits.service;

/** Text the service writes about input it did not choose (status messages, reasons, log lines), cut to a bound. */
public final class Bounded {
    private Bounded() {}

    /** {@code text} itself when it has at most {@code max} characters, else its start and a note of its length. */
    public static String text(String text, int max) {
        if (text == null) {
            return null;
        }
        if (text.length() <= max) {
            return text;
        }
        String note = " ... [truncated: " + text.length() + " characters in all]";
        return text.substring(0, Math.max(0, max - note.length())) + note;
    }
}
