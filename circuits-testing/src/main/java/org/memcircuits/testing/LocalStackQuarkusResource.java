package org.memcircuits.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a Quarkus service under test at the real test broker and S3 server; each test run gets a
 * bucket of its own ({@link #bucket()}).
 */
public class LocalStackQuarkusResource implements QuarkusTestResourceLifecycleManager {
    private static String bucket;

    public static String bucket() {
        return bucket;
    }

    @Override
    public Map<String, String> start() {
        LocalStack s = LocalStack.get();
        bucket = s.uniqueBucket("svc");
        return Map.of(
                "kafka.bootstrap.servers", s.kafkaBootstrap(),
                "circuits.storage.endpoint", s.s3Endpoint(),
                "circuits.storage.access-key", s.s3AccessKey(),
                "circuits.storage.secret-key", s.s3SecretKey(),
                "circuits.storage.region", s.s3Region(),
                "circuits.storage.bucket", bucket);
    }

    @Override
    public void stop() {}
}
