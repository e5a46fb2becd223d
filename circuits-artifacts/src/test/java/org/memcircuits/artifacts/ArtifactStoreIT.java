package org.memcircuits.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveBucketArgs;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.JobIds;
import org.memcircuits.testing.LocalStack;
import org.memcircuits.testing.LocalStackExtension;

/** Against the real s3proxy of the local test stack (started by {@link LocalStack}). */
@ExtendWith(LocalStackExtension.class)
class ArtifactStoreIT {

    static LocalStack stack;
    static StorageConfig config;
    static ArtifactStore store;
    static MinioClient raw;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp(LocalStack s) {
        stack = s;
        config = new StorageConfig(s.s3Endpoint(), s.s3AccessKey(), s.s3SecretKey(), s.s3Region(), s.uniqueBucket("artifact-store"));
        store = new ArtifactStore(config);
        store.ensureBucket();
        store.ensureBucket();   // idempotent
        raw = MinioClient.builder().endpoint(s.s3Endpoint()).credentials(s.s3AccessKey(), s.s3SecretKey()).region(s.s3Region()).build();
    }

    @AfterAll
    static void tearDown() throws Exception {
        try {
            if (store != null) {
                // leave the test stack's disk as we found it (s3proxy keeps objects as files under <home>/s3/data)
                store.list("").forEach(store::delete);
                raw.removeBucket(RemoveBucketArgs.builder().bucket(config.bucket()).build());
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

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Replaces the object's bytes behind the store's back, optionally forging the digest metadata. */
    static void tamper(String key, byte[] bytes, Map<String, String> metadata) throws Exception {
        raw.putObject(PutObjectArgs.builder().bucket(config.bucket()).object(key)
                .stream(new ByteArrayInputStream(bytes), bytes.length, -1).userMetadata(metadata).build());
    }

    @Test
    void bytesRoundTrip() throws Exception {
        byte[] bytes = "{\"prompt\":\"to be or not to be\"}\n".getBytes(StandardCharsets.UTF_8);
        ArtifactRef ref = store.put("rt/bytes.ndjson", bytes, "application/x-ndjson");

        assertThat(ref).isEqualTo(new ArtifactRef("s3://" + config.bucket() + "/rt/bytes.ndjson", JobIds.sha256(bytes),
                bytes.length, "application/x-ndjson"));
        assertThat(store.find("rt/bytes.ndjson")).contains(ref);
        assertThat(store.read(ref)).isEqualTo(bytes);
        Path dest = store.download(ref, tmp.resolve("sub/dir/bytes.ndjson"));
        assertThat(dest).hasBinaryContent(bytes);
        try (InputStream in = store.open(ref)) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        StatObjectResponse stat = raw.statObject(StatObjectArgs.builder().bucket(config.bucket()).object("rt/bytes.ndjson").build());
        assertThat(stat.userMetadata()).containsEntry("sha256", ref.sha256());
        assertThat(stat.contentType()).isEqualTo("application/x-ndjson");
    }

    @Test
    void emptyObject() {
        ArtifactRef ref = store.put("rt/empty", new byte[0], null);
        assertThat(ref.size()).isZero();
        assertThat(ref.mediaType()).isEqualTo(ArtifactStore.DEFAULT_MEDIA_TYPE);
        assertThat(store.read(ref)).isEmpty();
        assertThat(store.download(ref, tmp.resolve("empty"))).isEmptyFile();
    }

    @Test
    void largeFileGoesMultipartAndRoundTrips() throws Exception {
        Path src = tmp.resolve("big.bin");
        byte[] data = randomBytes(12 * 1024 * 1024 + 123, 42);
        Files.write(src, data);
        String sha = JobIds.sha256(data);

        ArtifactRef ref = store.put("rt/big.bin", src, "application/octet-stream");
        assertThat(ref.sha256()).isEqualTo(sha);
        assertThat(ref.size()).isEqualTo(data.length);
        StatObjectResponse stat = raw.statObject(StatObjectArgs.builder().bucket(config.bucket()).object("rt/big.bin").build());
        assertThat(stat.etag()).as("multipart ETag <md5>-<parts>").endsWith("-3");
        assertThat(stat.userMetadata()).containsEntry("sha256", sha);

        Path dest = tmp.resolve("out/big.bin");
        Files.createDirectories(dest.getParent());
        Files.writeString(dest, "old content, replaced atomically");
        assertThat(store.download(ref, dest)).isEqualTo(dest.toAbsolutePath());
        assertThat(Files.mismatch(src, dest)).isEqualTo(-1L);
        try (Stream<Path> files = Files.list(dest.getParent())) {
            assertThat(files).containsExactly(dest);   // no .partial left behind
        }
        try (InputStream in = store.open(ref); OutputStream out = OutputStream.nullOutputStream()) {
            assertThat(in.transferTo(out)).isEqualTo(data.length);
        }
    }

    @Test
    void digestMismatchIsDetectedOnEveryReadPath() throws Exception {
        String key = "tamper/x.bin";
        byte[] original = randomBytes(4096, 1);
        ArtifactRef ref = store.put(key, original, "application/octet-stream");
        byte[] other = randomBytes(4096, 2);   // same length, different bytes
        tamper(key, other, Map.of());

        assertThat(store.exists(key)).isTrue();
        assertThat(store.find(key)).as("no sha256 metadata: not a complete artifact").isEmpty();
        Path dest = tmp.resolve("x.bin");
        assertThatThrownBy(() -> store.download(ref, dest))
                .isInstanceOfSatisfying(ArtifactException.class, e -> assertThat(e.kind()).isEqualTo(ArtifactException.Kind.INTEGRITY))
                .hasMessageContaining(ref.uri()).hasMessageContaining(ref.sha256()).hasMessageContaining(JobIds.sha256(other));
        assertThat(dest).doesNotExist();
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files).isEmpty();   // the temp file is gone too
        }
        assertThatThrownBy(() -> store.read(ref)).isInstanceOf(ArtifactException.class).hasMessageContaining(JobIds.sha256(other));
        try (InputStream in = store.open(ref)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(ArtifactException.class).hasMessageContaining(ref.uri());
        }

        // forged metadata does not help: the bytes themselves are checked
        tamper(key, other, Map.of("sha256", ref.sha256()));
        assertThat(store.find(key)).hasValueSatisfying(r -> assertThat(r.sha256()).isEqualTo(ref.sha256()));
        assertThatThrownBy(() -> store.download(ref, dest)).isInstanceOf(ArtifactException.class);

        // a longer object is caught without reading all of it into the file
        tamper(key, randomBytes(1 << 20, 3), Map.of("sha256", ref.sha256()));
        assertThatThrownBy(() -> store.download(ref, dest)).hasMessageContaining("more than 4096");
        assertThatThrownBy(() -> store.read(ref)).hasMessageContaining("more than 4096");
        assertThat(dest).doesNotExist();
    }

    @Test
    void idempotentRePut() throws Exception {
        byte[] bytes = "same".getBytes(StandardCharsets.UTF_8);
        ArtifactRef first = store.put("idem/a.txt", bytes, "text/plain");
        Path onDisk = stack.home().resolve("s3/data").resolve(config.bucket()).resolve("idem/a.txt");
        FileTime before = Files.exists(onDisk) ? Files.getLastModifiedTime(onDisk) : null;

        ArtifactRef second = store.put("idem/a.txt", bytes, "text/plain");
        assertThat(second).isEqualTo(first);
        Path file = tmp.resolve("a.txt");
        Files.write(file, bytes);
        assertThat(store.put("idem/a.txt", file, "text/plain")).isEqualTo(first);
        if (before != null) {   // s3proxy's filesystem backend: the object was not rewritten
            assertThat(Files.getLastModifiedTime(onDisk)).isEqualTo(before);
        }

        // a different media type or content replaces it
        ArtifactRef retyped = store.put("idem/a.txt", bytes, "application/octet-stream");
        assertThat(retyped.mediaType()).isEqualTo("application/octet-stream");
        assertThat(store.find("idem/a.txt")).contains(retyped);
        byte[] changed = "changed".getBytes(StandardCharsets.UTF_8);
        ArtifactRef replaced = store.put("idem/a.txt", changed, "text/plain");
        assertThat(replaced.sha256()).isNotEqualTo(first.sha256());
        assertThat(store.read(replaced)).isEqualTo(changed);
        assertThatThrownBy(() -> store.read(first)).isInstanceOfSatisfying(ArtifactException.class,
                e -> assertThat(e.kind()).isEqualTo(ArtifactException.Kind.INTEGRITY));
    }

    @Test
    void missingObjectAndBucket() {
        assertThat(store.find("nope/missing")).isEmpty();
        assertThat(store.exists("nope/missing")).isFalse();
        ArtifactRef ghost = new ArtifactRef(store.uri("nope/missing"), "0".repeat(64), 3, "text/plain");
        assertThatThrownBy(() -> store.download(ghost, tmp.resolve("g")))
                .isInstanceOfSatisfying(ArtifactException.class, e -> assertThat(e.kind()).isEqualTo(ArtifactException.Kind.NOT_FOUND))
                .hasMessageContaining(ghost.uri()).hasMessageContaining(config.endpoint());
        assertThatThrownBy(() -> store.read(ghost)).isInstanceOfSatisfying(ArtifactException.class,
                e -> assertThat(e.kind()).isEqualTo(ArtifactException.Kind.NOT_FOUND));
        assertThatThrownBy(() -> store.open(ghost)).isInstanceOf(ArtifactException.class).hasMessageContaining(ghost.uri());
        assertThat(tmp.resolve("g")).doesNotExist();

        String noBucket = stack.uniqueBucket("never-created");
        try (ArtifactStore other = new ArtifactStore(config.withBucket(noBucket))) {
            assertThat(other.find("k")).isEmpty();
            assertThat(other.exists("k")).isFalse();
            assertThatThrownBy(() -> other.put("k", new byte[] {1}, null))
                    .isInstanceOfSatisfying(ArtifactException.class, e -> assertThat(e.kind()).isEqualTo(ArtifactException.Kind.NOT_FOUND))
                    .hasMessageContaining("no such bucket").hasMessageContaining("s3://" + noBucket + "/k");
            assertThatThrownBy(() -> other.list("")).isInstanceOf(ArtifactException.class).hasMessageContaining(noBucket);
        }
        assertThatThrownBy(() -> store.put("k", tmp.resolve("does-not-exist"), null))
                .isInstanceOfSatisfying(ArtifactException.class, e -> assertThat(e.kind()).isEqualTo(ArtifactException.Kind.LOCAL_IO))
                .hasMessageContaining("does-not-exist");
    }

    @Test
    void wrongCredentials() {
        ArtifactRef ref = store.put("creds/a", new byte[] {1, 2, 3}, null);
        try (ArtifactStore bad = new ArtifactStore(config.withCredentials(config.accessKey(), "wrong-secret"))) {
            for (Runnable op : List.<Runnable>of(
                    () -> bad.find("creds/a"),
                    () -> bad.put("creds/b", new byte[] {1}, null),
                    () -> bad.read(ref),
                    () -> bad.list(""),
                    bad::ensureBucket)) {
                assertThatThrownBy(op::run)
                        .isInstanceOfSatisfying(ArtifactException.class, e -> assertThat(e.kind()).isEqualTo(ArtifactException.Kind.ACCESS_DENIED))
                        .hasMessageContaining(config.endpoint()).hasMessageContaining("S3_SECRET_KEY");
            }
        }
        try (ArtifactStore bad = new ArtifactStore(config.withCredentials("nobody", config.secretKey()))) {
            assertThatThrownBy(() -> bad.read(ref)).isInstanceOfSatisfying(ArtifactException.class,
                    e -> assertThat(e.kind()).isEqualTo(ArtifactException.Kind.ACCESS_DENIED));
        }
    }

    @Test
    void transientConnectionFailuresAreRetried() throws Exception {
        ArtifactRef ref = store.put("flaky/a", "payload".getBytes(StandardCharsets.UTF_8), "text/plain");
        try (FlakyProxy proxy = new FlakyProxy(stack.s3Port(), 2);
             ArtifactStore flaky = new ArtifactStore(new StorageConfig("http://127.0.0.1:" + proxy.port(), config.accessKey(),
                     config.secretKey(), config.region(), config.bucket()), new Retries(Duration.ofSeconds(5), Duration.ofMillis(20),
                     Duration.ofMillis(200)))) {
            assertThat(flaky.read(ref)).asString(StandardCharsets.UTF_8).isEqualTo("payload");
            assertThat(proxy.dropped()).isEqualTo(2);
        }
        try (FlakyProxy proxy = new FlakyProxy(stack.s3Port(), 100);
             ArtifactStore flaky = new ArtifactStore(new StorageConfig("http://127.0.0.1:" + proxy.port(), config.accessKey(),
                     config.secretKey(), config.region(), config.bucket()), new Retries(Duration.ofSeconds(1), Duration.ofMillis(20),
                     Duration.ofMillis(100)))) {
            assertThatThrownBy(() -> flaky.read(ref)).isInstanceOfSatisfying(ArtifactException.class,
                    e -> assertThat(e.kind()).isEqualTo(ArtifactException.Kind.UNAVAILABLE)).hasMessageContaining(ref.uri())
                    .hasMessageMatching("(?s).*connection failed for \\d\\.\\d s \\(\\d+ attempts\\).*");
            assertThat(proxy.dropped()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void listExistsDelete() {
        for (String k : List.of("ls/a/1", "ls/a/2", "ls/a/b/3", "ls/b/4")) {
            store.put(k, k.getBytes(StandardCharsets.UTF_8), "text/plain");
        }
        assertThat(store.list("ls/a/")).containsExactly("ls/a/1", "ls/a/2", "ls/a/b/3");
        assertThat(store.list("ls/")).containsExactly("ls/a/1", "ls/a/2", "ls/a/b/3", "ls/b/4");
        assertThat(store.list("ls/zzz")).isEmpty();
        assertThat(store.exists("ls/a/1")).isTrue();
        assertThat(store.exists("ls/a")).isFalse();

        store.delete("ls/a/1");
        assertThat(store.exists("ls/a/1")).isFalse();
        assertThat(store.find("ls/a/1")).isEmpty();
        store.delete("ls/a/1");   // deleting a missing object is fine
        assertThat(store.list("ls/a/")).containsExactly("ls/a/2", "ls/a/b/3");
    }

    @Test
    void closeStopsTheHttpThreads() throws Exception {
        // other clients in this JVM (the shared store, the raw client) stay open: watch only threads born here
        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        try (ArtifactStore s = new ArtifactStore(config)) {
            s.put("close/x", new byte[] {7}, null);
            assertThat(s.list("close/")).containsExactly("close/x");
            assertThat(okHttpNonDaemonThreadsSince(before)).as("the client did start dispatcher threads").isNotEmpty();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<String> lingering = okHttpNonDaemonThreadsSince(before);
        while (!lingering.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            lingering = okHttpNonDaemonThreadsSince(before);
        }
        assertThat(lingering).as("non-daemon OkHttp threads still alive after close()").isEmpty();
    }

    private static List<String> okHttpNonDaemonThreadsSince(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.isAlive() && !t.isDaemon() && t.getName().startsWith("OkHttp"))
                .map(Thread::getName).toList();
    }
}
