package org.memcircuits.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.errors.ErrorResponseException;
import io.minio.messages.ErrorResponse;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** Retry decisions and error messages, with failures thrown by hand (no server). */
class S3CallsTest {

    static final String ENDPOINT = "http://127.0.0.1:1";

    static S3Calls calls(Duration window) {
        return new S3Calls(ENDPOINT, "key", new Retries(window, Duration.ofMillis(20), Duration.ofMillis(80)));
    }

    static ErrorResponseException s3Error(String code, int status) {
        Response response = new Response.Builder().request(new Request.Builder().url(ENDPOINT + "/b/k").build())
                .protocol(Protocol.HTTP_1_1).code(status).message(code).build();
        return new ErrorResponseException(new ErrorResponse(code, "msg", "b", "k", "/b/k", "req", "host"), response, null);
    }

    @Test
    void transientFailuresAreRetriedUntilTheyPass() {
        AtomicInteger n = new AtomicInteger();
        String result = calls(Duration.ofSeconds(5)).call("get", "s3://b/k", () -> {
            switch (n.incrementAndGet()) {
                case 1 -> throw new ConnectException("Connection refused");
                case 2 -> throw new SocketTimeoutException("timeout");
                case 3 -> throw s3Error("SlowDown", 503);
                case 4 -> throw new IOException("unexpected end of stream");
                default -> {
                    return "ok";
                }
            }
        });
        assertThat(result).isEqualTo("ok");
        assertThat(n).hasValue(5);
    }

    @Test
    void failuresWrappedByTheClientAreJudgedByWhatTheyWrap() {
        AtomicInteger n = new AtomicInteger();
        String result = calls(Duration.ofSeconds(5)).call("put", "s3://b/k", () -> {
            if (n.incrementAndGet() == 1) {
                // what MinioClient.throwEncapsulatedException makes of a reset inside a nested future
                throw new RuntimeException(new CompletionException(new SocketException("Connection reset")));
            }
            return "ok";
        });
        assertThat(result).isEqualTo("ok");
        assertThat(n).hasValue(2);
        assertThatThrownBy(() -> calls(Duration.ofMillis(100)).call("put", "s3://b/k", () -> {
            throw new RuntimeException(new ConnectException("Connection refused"));
        })).isInstanceOfSatisfying(ArtifactException.class, e -> assertThat(e.kind()).isEqualTo(ArtifactException.Kind.UNAVAILABLE))
                .hasMessageContaining("S3 endpoint unreachable for 0.");
        AtomicInteger m = new AtomicInteger();
        assertThatThrownBy(() -> calls(Duration.ofSeconds(5)).call("put", "s3://b/k", () -> {
            m.incrementAndGet();
            throw new RuntimeException(new IllegalStateException("a bug"));
        })).isInstanceOfSatisfying(ArtifactException.class, e -> assertThat(e.kind()).isEqualTo(ArtifactException.Kind.OTHER))
                .hasMessageContaining("a bug");
        assertThat(m).as("not retried").hasValue(1);
    }

    @Test
    void givingUpSaysHowLongAndHowManyAttempts() {
        List<Long> at = new ArrayList<>();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> calls(Duration.ofMillis(600)).call("stat", "s3://b/k", () -> {
            at.add(System.nanoTime());
            throw new ConnectException("Connection refused");
        })).isInstanceOfSatisfying(ArtifactException.class, e -> assertThat(e.kind()).isEqualTo(ArtifactException.Kind.UNAVAILABLE))
                .hasMessageStartingWith("stat s3://b/k at " + ENDPOINT + ": S3 endpoint unreachable for 0.6 s (" + at.size() + " attempts)")
                .hasMessageEndingWith("java.net.ConnectException: Connection refused");
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(took).isBetween(Duration.ofMillis(600), Duration.ofMillis(1500));
        assertThat(at.size()).isBetween(7, 40);   // waits of 20, 40, then 80 ms (+-25 %)
        // backoff 20, 40, 80, 80, 80 ms (+-25 %); near the window's end Failsafe shortens the last waits
        for (int i = 1; i <= 5; i++) {
            long waitMs = (at.get(i) - at.get(i - 1)) / 1_000_000;
            assertThat(waitMs).as("wait %d", i).isBetween(10L, 200L);
        }
    }

    @Test
    void serverErrorsThatPersistAreReportedAsSuch() {
        assertThatThrownBy(() -> calls(Duration.ofMillis(200)).call("put", "s3://b/k", () -> {
            throw s3Error("InternalError", 500);
        })).isInstanceOfSatisfying(ArtifactException.class, e -> assertThat(e.kind()).isEqualTo(ArtifactException.Kind.OTHER))
                .hasMessageContaining("server error (InternalError: msg, HTTP 500) for 0.").hasMessageContaining(" attempts)");
    }

    @Test
    void permanentFailuresFailAtOnce() {
        record Case(Exception thrown, ArtifactException.Kind kind, String text) {}
        for (Case c : List.of(
                new Case(s3Error("NoSuchKey", 404), ArtifactException.Kind.NOT_FOUND, "no such object"),
                new Case(s3Error("NoSuchBucket", 404), ArtifactException.Kind.NOT_FOUND, "no such bucket"),
                new Case(s3Error("AccessDenied", 403), ArtifactException.Kind.ACCESS_DENIED, "access key 'key'"),
                new Case(new LocalIOException(new FileNotFoundException("/x")), ArtifactException.Kind.LOCAL_IO, "/x"))) {
            AtomicInteger n = new AtomicInteger();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> calls(Duration.ofSeconds(30)).call("get", "s3://b/k", () -> {
                n.incrementAndGet();
                throw c.thrown();
            })).isInstanceOfSatisfying(ArtifactException.class, e -> assertThat(e.kind()).isEqualTo(c.kind()))
                    .hasMessageStartingWith("get s3://b/k at " + ENDPOINT + ": ").hasMessageContaining(c.text())
                    .hasMessageNotContaining("attempt");
            assertThat(n).as(c.toString()).hasValue(1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
        }
        ArtifactException own = new ArtifactException(ArtifactException.Kind.INTEGRITY, "mine");
        assertThatThrownBy(() -> calls(Duration.ofSeconds(30)).call("get", "s3://b/k", () -> {
            throw own;
        })).isSameAs(own);
        assertThatThrownBy(() -> calls(Duration.ofSeconds(30)).call("get", "s3://b/k", () -> {
            throw new IllegalArgumentException("bucket name does not follow Amazon S3 standards");
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("get s3://b/k: bucket name does not follow Amazon S3 standards");
    }

    @Test
    void notFoundIsEmptyForCallIfExists() {
        assertThat(calls(Duration.ofSeconds(1)).callIfExists("stat", "s3://b/k", () -> {
            throw s3Error("NoSuchKey", 404);
        })).isEmpty();
        assertThat(calls(Duration.ofSeconds(1)).callIfExists("stat", "s3://b/k", () -> "x")).contains("x");
    }

    @Test
    void interruptionStopsRetrying() throws Exception {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> calls(Duration.ofSeconds(30)).call("get", "s3://b/k", () -> {
                throw new ConnectException("Connection refused");
            })).isInstanceOf(ArtifactException.class).hasMessageContaining("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
