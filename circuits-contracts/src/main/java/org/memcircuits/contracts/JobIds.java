package org.memcircuits.contracts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Deterministic job ids: the stage name and a digest of the normalized request (inputs by sha256). */
public final class JobIds {
    private JobIds() {}

    /** What a job id may look like: it is a Kafka key and a path segment of artifact keys. */
    public static final String PATTERN = "[a-z0-9][a-z0-9._-]{0,127}";

    public static boolean valid(String jobId) {
        return jobId != null && jobId.matches(PATTERN) && !jobId.contains("..");
    }

    /** The problem with a requested job id, or null when it is absent (derived later) or valid. */
    public static String problem(String jobId) {
        return jobId == null || valid(jobId) ? null
                : "jobId: expected lowercase letters, digits, '.', '_' or '-' (at most 128, no '..'), got '"
                        + (jobId.length() > 140 ? jobId.substring(0, 140) + "..." : jobId) + "'";
    }

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
