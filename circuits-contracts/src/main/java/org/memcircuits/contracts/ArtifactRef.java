package org.memcircuits.contracts;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Objects;

/**
 * A reference to an artifact in S3-compatible storage, as events carry it (CloudEvents
 * {@code dataref} style): payloads never travel through Kafka, references do. The digest and size
 * let every reader verify it got exactly what the writer stored.
 *
 * @param uri {@code s3://bucket/key}
 * @param sha256 lowercase hex SHA-256 of the object's bytes
 * @param size bytes
 * @param mediaType e.g. {@code application/x-ndjson}
 */
public record ArtifactRef(String uri, String sha256, long size, String mediaType) {
    public ArtifactRef {
        Objects.requireNonNull(uri, "uri");
        if (!uri.startsWith("s3://") || uri.indexOf('/', 5) <= 5) {
            throw new IllegalArgumentException("artifact uri must be s3://bucket/key, got '" + uri + "'");
        }
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("artifact " + uri + ": sha256 must be 64 lowercase hex digits");
        }
        if (size < 0) {
            throw new IllegalArgumentException("artifact " + uri + ": negative size");
        }
    }

    public static String uri(String bucket, String key) {
        return "s3://" + bucket + "/" + key;
    }

    @JsonIgnore
    public String bucket() {
        return uri.substring(5, uri.indexOf('/', 5));
    }

    @JsonIgnore
    public String key() {
        return uri.substring(uri.indexOf('/', 5) + 1);
    }
}
