package org.memcircuits.scorer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import org.memcircuits.testing.LocalStack;

/** Points the service at the real test broker and S3 server, each test run in a bucket of its own. */
public class LocalStackResource implements QuarkusTestResourceLifecycleManager {
    static String bucket;

    @Override
    public Map<String, String> start() {
        LocalStack s = LocalStack.get();
        bucket = s.uniqueBucket("scorer");
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
