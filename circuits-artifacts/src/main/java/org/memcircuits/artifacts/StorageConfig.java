package org.memcircuits.artifacts;

import java.util.Map;

/**
 * Where artifacts live.
 *
 * @param endpoint e.g. {@code http://127.0.0.1:19000}
 * @param accessKey S3 access key
 * @param secretKey S3 secret key (left out of {@link #toString()})
 * @param region signing region, e.g. {@code us-east-1}
 * @param bucket the store's bucket for {@link ArtifactStore#put} / {@link ArtifactStore#find} / {@link ArtifactStore#list}
 */
public record StorageConfig(String endpoint, String accessKey, String secretKey, String region, String bucket) {

    public static final String DEFAULT_REGION = "us-east-1";
    public static final String DEFAULT_BUCKET = "circuits";

    public StorageConfig {
        requireText(endpoint, "endpoint (S3_ENDPOINT)");
        requireText(accessKey, "accessKey (S3_ACCESS_KEY)");
        requireText(secretKey, "secretKey (S3_SECRET_KEY)");
        requireText(bucket, "bucket (S3_BUCKET)");
        if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
            throw new IllegalArgumentException("S3 endpoint must start with http:// or https://, got '" + endpoint + "'");
        }
        region = region == null || region.isBlank() ? DEFAULT_REGION : region;
    }

    /** From S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY (required), S3_REGION (us-east-1), S3_BUCKET (circuits). */
    public static StorageConfig fromEnv() {
        return fromEnv(System.getenv());
    }

    /** {@link #fromEnv()} over the given variables. */
    public static StorageConfig fromEnv(Map<String, String> env) {
        String endpoint = env.get("S3_ENDPOINT");
        if (endpoint == null || endpoint.isBlank()) {
            throw new IllegalStateException("S3_ENDPOINT is not set (for the local stack: eval \"$(stack/local-stack.sh env)\")");
        }
        String bucket = env.get("S3_BUCKET");
        return new StorageConfig(endpoint.trim(), env.get("S3_ACCESS_KEY"), env.get("S3_SECRET_KEY"), env.get("S3_REGION"),
                bucket == null || bucket.isBlank() ? DEFAULT_BUCKET : bucket.trim());
    }

    public StorageConfig withBucket(String otherBucket) {
        return new StorageConfig(endpoint, accessKey, secretKey, region, otherBucket);
    }

    public StorageConfig withCredentials(String otherAccessKey, String otherSecretKey) {
        return new StorageConfig(endpoint, otherAccessKey, otherSecretKey, region, bucket);
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("S3 storage config: " + what + " is not set");
        }
    }

    @Override
    public String toString() {
        return "StorageConfig[endpoint=" + endpoint + ", accessKey=" + accessKey + ", secretKey=***, region=" + region
                + ", bucket=" + bucket + "]";
    }
}
