package org.memcircuits.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveBucketArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.JobIds;
import org.memcircuits.testing.LocalStack;
import org.memcircuits.testing.LocalStackExtension;

/**
 * {@link ArtifactStore#verify} against the real s3proxy, for objects uploaded by a plain S3 client (no sha256
 * metadata) into a bucket that is not the store's own.
 */
@ExtendWith(LocalStackExtension.class)
class ArtifactVerifyIT {

    static final ObjectMapper JSON = new ObjectMapper();

    static StorageConfig config;
    static ArtifactStore store;
    static MinioClient raw;
    /** A user's bucket: the ref names it, the store's own bucket is another. */
    static String userBucket;

    @BeforeAll
    static void setUp(LocalStack s) throws Exception {
        config = new StorageConfig(s.s3Endpoint(), s.s3AccessKey(), s.s3SecretKey(), s.s3Region(), s.uniqueBucket("artifact-verify"));
        store = new ArtifactStore(config);
        store.ensureBucket();
        raw = MinioClient.builder().endpoint(s.s3Endpoint()).credentials(s.s3AccessKey(), s.s3SecretKey()).region(s.s3Region()).build();
        userBucket = s.uniqueBucket("user-uploads");
        raw.makeBucket(MakeBucketArgs.builder().bucket(userBucket).build());
    }

    @AfterAll
    static void tearDown() throws Exception {
        try {
            if (raw != null) {
                for (String bucket : new String[] {userBucket, config.bucket()}) {
                    for (Result<Item> r : raw.listObjects(ListObjectsArgs.builder().bucket(bucket).recursive(true).build())) {
                        raw.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(r.get().objectName()).build());
                    }
                    raw.removeBucket(RemoveBucketArgs.builder().bucket(bucket).build());
                }
            }
        } finally {
            if (store != null) {
                store.close();
            }
            if (raw != null) {
                raw.close();
            }
        }
    }

    /** As {@code aws s3 cp} / {@code mc cp} would: no sha256 metadata. */
    static void foreignUpload(String bucket, String key, byte[] bytes) throws Exception {
        raw.putObject(PutObjectArgs.builder().bucket(bucket).object(key).stream(new ByteArrayInputStream(bytes), bytes.length, -1).build());
    }

    static ArtifactRef ref(String bucket, String key, byte[] bytes) {
        return new ArtifactRef(ArtifactRef.uri(bucket, key), JobIds.sha256(bytes), bytes.length, "application/x-ndjson");
    }

    static JsonNode record(String bucket, String key) throws Exception {
        try (InputStream in = raw.getObject(GetObjectArgs.builder().bucket(bucket).object(DigestRecords.recordKey(key)).build())) {
            return JSON.readTree(in);
        }
    }

    static void writeRecord(String bucket, String key, JsonNode record) throws Exception {
        byte[] json = JSON.writeValueAsBytes(record);
        raw.putObject(PutObjectArgs.builder().bucket(bucket).object(DigestRecords.recordKey(key))
                .stream(new ByteArrayInputStream(json), json.length, -1).build());
    }

    static boolean recordExists(String bucket, String key) throws Exception {
        try {
            raw.statObject(StatObjectArgs.builder().bucket(bucket).object(DigestRecords.recordKey(key)).build());
            return true;
        } catch (ErrorResponseException e) {
            return false;
        }
    }

    static ArtifactException.Kind kindOf(Throwable t) {
        return ((ArtifactException) t).kind();
    }

    @Test
    void aForeignUploadIsReadOnceThenVouchedForByItsRecord() throws Exception {
        String key = "corpora/pile-sample.jsonl";
        byte[] bytes = ArtifactStoreIT.randomBytes(3 * 1024 * 1024 + 5, 1);
        foreignUpload(userBucket, key, bytes);
        ArtifactRef ref = ref(userBucket, key, bytes);
        long reads = store.objectsReadByVerify();

        assertThat(store.verify(ref)).isEqualTo(ref);
        assertThat(store.objectsReadByVerify()).as("the object was read and hashed").isEqualTo(reads + 1);
        JsonNode record = record(userBucket, key);
        assertThat(record.get("sha256").asText()).isEqualTo(ref.sha256());
        assertThat(record.get("size").asLong()).isEqualTo(bytes.length);
        assertThat(record.get("object").asText()).isEqualTo(ref.uri());
        assertThat(record.get("etag").asText()).isEqualTo(
                raw.statObject(StatObjectArgs.builder().bucket(userBucket).object(key).build()).etag());

        assertThat(store.verify(ref)).isEqualTo(ref);
        assertThat(store.objectsReadByVerify()).as("second verify: the record, not the bytes").isEqualTo(reads + 1);

        // the record really is what vouches: one that claims another digest for this very version is believed
        String forged = "f".repeat(64);
        writeRecord(userBucket, key, ((ObjectNode) record.deepCopy()).put("sha256", forged));
        assertThatThrownBy(() -> store.verify(ref)).satisfies(e -> assertThat(kindOf(e)).isEqualTo(ArtifactException.Kind.MISMATCH))
                .hasMessageContaining(forged).hasMessageContaining("remembered");
        assertThat(store.objectsReadByVerify()).isEqualTo(reads + 1);

        // a record of another version of the object (other ETag) is not: the bytes are read again and the record renewed
        writeRecord(userBucket, key, ((ObjectNode) record.deepCopy()).put("sha256", forged).put("etag", "0123456789abcdef"));
        assertThat(store.verify(ref)).isEqualTo(ref);
        assertThat(store.objectsReadByVerify()).isEqualTo(reads + 2);
        assertThat(record(userBucket, key).get("sha256").asText()).isEqualTo(ref.sha256());

        // find keeps its meaning for the store's own objects: a foreign upload there is not "complete"
        foreignUpload(config.bucket(), key, bytes);
        assertThat(store.find(key)).isEmpty();
        assertThat(store.verify(ref(config.bucket(), key, bytes))).isEqualTo(ref(config.bucket(), key, bytes));
    }

    @Test
    void wrongDigestIsAMismatchNamingBoth() throws Exception {
        String key = "wrong-sha.jsonl";
        byte[] bytes = "{\"text\":\"to be or not to be\"}\n".getBytes(StandardCharsets.UTF_8);
        foreignUpload(userBucket, key, bytes);
        String claimed = JobIds.sha256("something else".getBytes(StandardCharsets.UTF_8));
        ArtifactRef wrong = new ArtifactRef(ArtifactRef.uri(userBucket, key), claimed, bytes.length, "application/x-ndjson");

        for (int i = 0; i < 2; i++) {   // read the first time, from the record the second: the same answer
            assertThatThrownBy(() -> store.verify(wrong))
                    .satisfies(e -> assertThat(kindOf(e)).isEqualTo(ArtifactException.Kind.MISMATCH))
                    .hasMessageStartingWith(wrong.uri() + " at " + config.endpoint() + ": sha256 mismatch")
                    .hasMessageContaining(claimed).hasMessageContaining(JobIds.sha256(bytes));
        }
        assertThat(store.verify(ref(userBucket, key, bytes))).isEqualTo(ref(userBucket, key, bytes));

        // our own objects: the metadata answers, nothing is read
        ArtifactRef ours = store.put("ours.jsonl", bytes, "application/x-ndjson");
        long reads = store.objectsReadByVerify();
        assertThat(store.verify(ours)).isEqualTo(ours);
        ArtifactRef oursWrong = new ArtifactRef(ours.uri(), claimed, ours.size(), ours.mediaType());
        assertThatThrownBy(() -> store.verify(oursWrong)).satisfies(e -> assertThat(kindOf(e)).isEqualTo(ArtifactException.Kind.MISMATCH))
                .hasMessageContaining(claimed).hasMessageContaining(ours.sha256()).hasMessageContaining("metadata");
        assertThat(store.objectsReadByVerify()).isEqualTo(reads);
        assertThat(recordExists(config.bucket(), "ours.jsonl")).isFalse();
    }

    @Test
    void wrongSizeIsAMismatchWithoutReadingTheObject() throws Exception {
        String key = "wrong-size.bin";
        byte[] bytes = ArtifactStoreIT.randomBytes(100_000, 2);
        foreignUpload(userBucket, key, bytes);
        long reads = store.objectsReadByVerify();
        ArtifactRef wrong = new ArtifactRef(ArtifactRef.uri(userBucket, key), JobIds.sha256(bytes), 99_999, "application/octet-stream");

        assertThatThrownBy(() -> store.verify(wrong)).satisfies(e -> assertThat(kindOf(e)).isEqualTo(ArtifactException.Kind.MISMATCH))
                .hasMessage(wrong.uri() + " at " + config.endpoint()
                        + ": size mismatch: the ref names 99999 bytes, the object has 100000 bytes (its stat)");
        assertThat(store.objectsReadByVerify()).isEqualTo(reads);
        assertThat(recordExists(userBucket, key)).isFalse();
    }

    @Test
    void missingObjectOrBucketIsNotFound() {
        ArtifactRef missing = new ArtifactRef(ArtifactRef.uri(userBucket, "no/such.jsonl"), "0".repeat(64), 1, "application/x-ndjson");
        assertThatThrownBy(() -> store.verify(missing)).satisfies(e -> assertThat(kindOf(e)).isEqualTo(ArtifactException.Kind.NOT_FOUND))
                .hasMessage(missing.uri() + " not found at " + config.endpoint());
        ArtifactRef noBucket = new ArtifactRef("s3://no-such-bucket-" + System.nanoTime() + "/k", "0".repeat(64), 1, "x/y");
        assertThatThrownBy(() -> store.verify(noBucket)).satisfies(e -> assertThat(kindOf(e)).isEqualTo(ArtifactException.Kind.NOT_FOUND))
                .hasMessage(noBucket.uri() + " not found at " + config.endpoint());
    }

    @Test
    void anObjectOverwrittenAfterItsVerificationIsReadAgain() throws Exception {
        String key = "overwritten.bin";
        byte[] first = ArtifactStoreIT.randomBytes(64 * 1024, 3);
        byte[] second = ArtifactStoreIT.randomBytes(64 * 1024, 4);   // same size, other bytes
        foreignUpload(userBucket, key, first);
        ArtifactRef firstRef = ref(userBucket, key, first);
        assertThat(store.verify(firstRef)).isEqualTo(firstRef);
        assertThat(recordExists(userBucket, key)).isTrue();

        foreignUpload(userBucket, key, second);
        long reads = store.objectsReadByVerify();
        assertThatThrownBy(() -> store.verify(firstRef)).as("the stale record must not vouch for the new bytes")
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(ArtifactException.Kind.MISMATCH))
                .hasMessageContaining(firstRef.sha256()).hasMessageContaining(JobIds.sha256(second));
        assertThat(store.objectsReadByVerify()).isEqualTo(reads + 1);
        assertThat(store.verify(ref(userBucket, key, second))).isEqualTo(ref(userBucket, key, second));
        assertThat(store.objectsReadByVerify()).as("the renewed record vouches for the new version").isEqualTo(reads + 1);
    }

    @Test
    void aRecordThatCannotBeWrittenDoesNotFailTheVerification() throws Exception {
        // s3proxy keeps objects as files: an object "below" the record's key makes that key a directory, which
        // cannot be written as a file (much as a read-only bucket refuses the write)
        String key = "blocked.bin";
        byte[] bytes = ArtifactStoreIT.randomBytes(1000, 5);
        foreignUpload(userBucket, key, bytes);
        foreignUpload(userBucket, DigestRecords.recordKey(key) + "/blocker", new byte[] {1});
        ArtifactRef ref = ref(userBucket, key, bytes);
        try (ArtifactStore quick = new ArtifactStore(config, Retries.within(Duration.ofSeconds(2)))) {
            assertThat(quick.verify(ref)).isEqualTo(ref);
            assertThat(recordExists(userBucket, key)).as("the record write failed").isFalse();
            assertThat(quick.verify(ref)).isEqualTo(ref);
            assertThat(quick.objectsReadByVerify()).as("without a record, each verification reads").isEqualTo(2);
        }
    }
}
