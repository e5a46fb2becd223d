package org.memcircuits.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StorageConfigTest {

    @Test
    void fromEnvAppliesDefaults() {
        StorageConfig c = StorageConfig.fromEnv(Map.of("S3_ENDPOINT", "http://127.0.0.1:19000", "S3_ACCESS_KEY", "k",
                "S3_SECRET_KEY", "s3cr3t"));
        assertThat(c).isEqualTo(new StorageConfig("http://127.0.0.1:19000", "k", "s3cr3t", "us-east-1", "circuits"));
        assertThat(c.toString()).doesNotContain("s3cr3t").contains("k", "circuits");
        assertThat(c.withBucket("other").bucket()).isEqualTo("other");
    }

    @Test
    void fromEnvReadsEverything() {
        StorageConfig c = StorageConfig.fromEnv(Map.of("S3_ENDPOINT", "https://s3.example", "S3_ACCESS_KEY", "k",
                "S3_SECRET_KEY", "s", "S3_REGION", "eu-west-1", "S3_BUCKET", "b1"));
        assertThat(c).isEqualTo(new StorageConfig("https://s3.example", "k", "s", "eu-west-1", "b1"));
    }

    @Test
    void missingSettingsAreNamed() {
        assertThatThrownBy(() -> StorageConfig.fromEnv(Map.of())).hasMessageContaining("S3_ENDPOINT");
        assertThatThrownBy(() -> StorageConfig.fromEnv(Map.of("S3_ENDPOINT", "http://x:1", "S3_ACCESS_KEY", "k")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("S3_SECRET_KEY");
        assertThatThrownBy(() -> new StorageConfig("127.0.0.1:19000", "k", "s", null, "b"))
                .hasMessageContaining("http://");
    }
}
