package org.memcircuits.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.MinioClient;
import io.minio.RemoveBucketArgs;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.JobIds;
import org.memcircuits.testing.LocalStack;
import org.memcircuits.testing.LocalStackExtension;

/** The retry window against real outages: the real s3proxy behind a {@link FlakyProxy} switched off and on. */
@ExtendWith(LocalStackExtension.class)
class ArtifactStoreOutageIT {

    static final Duration OUTAGE = Duration.ofSeconds(9);

    static LocalStack stack;
    static StorageConfig config;
    static ArtifactStore direct;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp(LocalStack s) {
        stack = s;
        config = new StorageConfig(s.s3Endpoint(), s.s3AccessKey(), s.s3SecretKey(), s.s3Region(), s.uniqueBucket("artifact-outage"));
        direct = new ArtifactStore(config);
        direct.ensureBucket();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (direct == null) {
            return;
        }
        try (MinioClient raw = MinioClient.builder().endpoint(config.endpoint()).credentials(config.accessKey(), config.secretKey())
                .region(config.region()).build()) {
            direct.list("").forEach(direct::delete);
            raw.removeBucket(RemoveBucketArgs.builder().bucket(config.bucket()).build());
        } finally {
            direct.close();
        }
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void putAndDownloadRideOutAnOutageWithTheDefaultWindow() throws Exception {
        byte[] stored = randomBytes(6 * 1024 * 1024 + 7, 11);
        ArtifactRef existing = direct.put("outage/existing.bin", stored, null);
        byte[] upload = randomBytes(6 * 1024 * 1024 + 13, 12);   // above 5 MiB: a multipart upload
        Path src = tmp.resolve("upload.bin");
        Files.write(src, upload);
        Path dest = tmp.resolve("down/existing.bin");

        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (FlakyProxy proxy = new FlakyProxy(stack.s3Port(), 0);
             ArtifactStore store = new ArtifactStore(new StorageConfig("http://127.0.0.1:" + proxy.port(), config.accessKey(),
                     config.secretKey(), config.region(), config.bucket()))) {
            // the server "dies" with both transfers under way: neither is 6 MiB along when 1 MiB has passed in all
            Future<Void> cut = proxy.offAfter(1024 * 1024).thenApply(v -> (Void) null);
            Future<ArtifactRef> put = pool.submit(() -> store.put("outage/uploaded.bin", src, "application/octet-stream"));
            Future<Path> download = pool.submit(() -> store.download(existing, dest));
            cut.get(30, TimeUnit.SECONDS);
            long offAt = System.nanoTime();

            Thread.sleep(OUTAGE.toMillis());
            assertThat(put).as("put still retrying after %s of refused connections", OUTAGE).isNotDone();
            assertThat(download).as("download still retrying after %s of refused connections", OUTAGE).isNotDone();
            proxy.on();

            ArtifactRef ref = put.get(30, TimeUnit.SECONDS);
            Path got = download.get(30, TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - offAt);
            System.out.printf("outage of %s: put and download done %s after the server went away%n", OUTAGE, took);

            assertThat(ref).isEqualTo(new ArtifactRef(store.uri("outage/uploaded.bin"), JobIds.sha256(upload), upload.length,
                    "application/octet-stream"));
            assertThat(direct.read(ref)).isEqualTo(upload);
            assertThat(got).hasBinaryContent(stored);
            try (var files = Files.list(dest.getParent())) {
                assertThat(files).containsExactly(dest.toAbsolutePath());   // no .partial left from the cut attempt
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aShortWindowGivesUpInBoundedTimeSayingHowLongItTried() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (Socket held = FlakyProxy.reserve(port)) {   // held for the test, listening never: connections refused
            shortWindowAgainst("http://127.0.0.1:" + port);
        }
    }

    private static void shortWindowAgainst(String endpoint) {
        StorageConfig dead = new StorageConfig(endpoint, "k", "s", "us-east-1", "bucket-b");
        try (ArtifactStore down = new ArtifactStore(dead, Retries.within(Duration.ofSeconds(3)))) {
            long t0 = System.nanoTime();
            Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> down.find("x"));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);

            assertThat(thrown).isInstanceOfSatisfying(ArtifactException.class,
                            e -> assertThat(e.kind()).isEqualTo(ArtifactException.Kind.UNAVAILABLE))
                    .hasMessageContaining(endpoint).hasMessageContaining("s3://bucket-b/x");
            Matcher m = Pattern.compile("S3 endpoint unreachable for (\\d+\\.\\d) s \\((\\d+) attempts\\)").matcher(thrown.getMessage());
            assertThat(m.find()).as(thrown.getMessage()).isTrue();
            double reported = Double.parseDouble(m.group(1));
            int attempts = Integer.parseInt(m.group(2));
            System.out.printf("dead endpoint, 3 s window: gave up after %s, %d attempts: %s%n", took, attempts, thrown.getMessage());
            assertThat(reported).isBetween(3.0, 4.0);
            assertThat(attempts).isBetween(4, 30);   // waits of 250 ms growing to 750 ms, +-25 %
            assertThat(took).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(5));

            assertThatThrownBy(down::ensureBucket).isInstanceOf(ArtifactException.class).hasMessageContaining(endpoint)
                    .hasMessageContaining("unreachable for");
        }
        try (ArtifactStore badName = new ArtifactStore(new StorageConfig(endpoint, "k", "s", "us-east-1", "b"))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> badName.find("x")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("s3://b/x").hasMessageContaining("bucket name");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("not retried").isLessThan(Duration.ofSeconds(2));
        }
    }
}
