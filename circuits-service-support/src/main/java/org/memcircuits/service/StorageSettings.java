package org.memcircuits.service;

import io.smallrye.config.ConfigMapping;

/** Where artifacts live: any S3 API (MinIO in production, s3proxy locally). */
@ConfigMapping(prefix = "circuits.storage")
public interface StorageSettings {
    String endpoint();

    String accessKey();

    String secretKey();

    String region();

    String bucket();
}
