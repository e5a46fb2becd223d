package org.memcircuits.contracts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Deterministic job ids: the stage name and a digest of the normalized request (inputs by sha256). */
public final class JobIds {
    private JobIds() {}

    public static String derive(String stage, Object normalizedRequestWithoutId) {
        String canonical = EventCodec.canonical(normalizedRequestWithoutId);
        return stage + "-" + sha256(canonical.getBytes(StandardCharsets.UTF_8)).substring(0, 20);
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
