package org.memcircuits.service;

import io.smallrye.config.ConfigMapping;
import java.util.List;
import java.util.Optional;

/** Where artifacts live: any S3 API (MinIO in production, s3proxy locally). */
@ConfigMapping(prefix = "circuits.storage")
public interface StorageSettings {
    String endpoint();

    /** No default: a service without credentials refuses to start (S3_ACCESS_KEY). */
    Optional<String> accessKey();

    /** No default: a service without credentials refuses to start (S3_SECRET_KEY). */
    Optional<String> secretKey();

    String region();

    /** The bucket the service writes its artifacts to. */
    String bucket();

    /**
     * The buckets requests may reference (S3_ALLOWED_BUCKETS, comma-separated); by default only
     * {@link #bucket()}. A reference to any other bucket is refused before anything is read.
     */
    Optional<List<String>> allowedBuckets();

    default List<String> readableBuckets() {
        return allowedBuckets().filter(l -> !l.isEmpty()).orElse(List.of(bucket()));
    }
}
