package org.memcircuits.artifacts;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.InsufficientDataException;
import io.minio.errors.ServerException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one S3 operation: retries its transient failures under a Failsafe {@link RetryPolicy} built from
 * {@link Retries}, and turns whatever failure remains into an {@link ArtifactException} naming the operation, the
 * {@code s3://} target and the endpoint. Thread-safe.
 */
final class S3Calls {

    @FunctionalInterface
    interface S3Call<T> {
        T run() throws Exception;
    }

    private static final Set<String> NOT_FOUND_CODES = Set.of("NoSuchKey", "NoSuchBucket", "NoSuchObject", "ResourceNotFound", "NoSuchVersion");
    private static final Set<String> DENIED_CODES = Set.of("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch",
            "InvalidToken", "ExpiredToken", "AllAccessDisabled", "AuthorizationHeaderMalformed");
    private static final Set<String> TRANSIENT_CODES = Set.of("InternalError", "SlowDown", "ServiceUnavailable", "RequestTimeout",
            "OperationAborted");

    private static final System.Logger LOG = System.getLogger(S3Calls.class.getName());

    private final String endpoint;
    private final String accessKey;
    private final RetryPolicy<Object> policy;

    S3Calls(String endpoint, String accessKey, Retries retries) {
        this.endpoint = endpoint;
        this.accessKey = accessKey;
        this.policy = RetryPolicy.builder()
                .handleIf(e -> e instanceof Exception ex && isTransient(unwrap(ex)))
                .withBackoff(retries.initialBackoff(), retries.maxBackoff())
                .withJitter(Retries.JITTER_FACTOR)
                .withMaxRetries(-1)   // the duration is the bound (Failsafe's default would be 2 retries)
                .withMaxDuration(retries.maxDuration())
                .build();
    }

    String endpoint() {
        return endpoint;
    }

    /** {@code body}'s result; transient failures retried, the rest (and the last transient one) as ArtifactException. */
    <T> T call(String op, String target, S3Call<T> body) {
        AtomicInteger attempts = new AtomicInteger();
        long t0 = System.nanoTime();
        try {
            return Failsafe.with(policy).get(ctx -> {
                attempts.set(ctx.getAttemptCount() + 1);
                if (ctx.isRetry()) {
                    LOG.log(System.Logger.Level.DEBUG, () -> op + " " + target + " at " + endpoint + ": attempt " + attempts.get()
                            + " after " + ctx.getElapsedTime().toMillis() + " ms; last failure: " + ctx.getLastException());
                }
                return body.run();
            });
        } catch (ArtifactException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            // the client's own argument checks, e.g. a bucket name S3 does not allow
            throw new IllegalArgumentException(op + " " + target + ": " + e.getMessage(), e);
        } catch (FailsafeException e) {
            Throwable cause = e.getCause();
            Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
            if (cause instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new ArtifactException(ArtifactException.Kind.OTHER, op + " " + target + " at " + endpoint
                        + ": interrupted while retrying" + tries(elapsed, attempts.get()), cause);
            }
            throw translate(op, target, unwrap(cause instanceof Exception ex ? ex : e), elapsed, attempts.get());
        } catch (RuntimeException e) {
            throw translate(op, target, unwrap(e), Duration.ofNanos(System.nanoTime() - t0), attempts.get());
        }
    }

    /** {@link #call}, with NOT_FOUND (no such object or bucket) as empty. */
    <T> Optional<T> callIfExists(String op, String target, S3Call<T> body) {
        try {
            return Optional.of(call(op, target, body));
        } catch (ArtifactException e) {
            if (e.kind() == ArtifactException.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * The failure inside the MinIO client's wrappers: its synchronous calls run asynchronous ones and rethrow what
     * they do not list as a plain RuntimeException (e.g. around a connection reset during a multipart upload).
     */
    static Exception unwrap(Throwable t) {
        Throwable e = t;
        while ((e.getClass() == RuntimeException.class || e instanceof CompletionException || e instanceof ExecutionException)
                && e.getCause() instanceof Exception && e.getCause() != e) {
            e = e.getCause();
        }
        return e instanceof Exception ex ? ex : new RuntimeException(e);
    }

    static boolean isTransient(Exception e) {
        if (e instanceof LocalIOException || e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)) {
            return false;
        }
        if (e instanceof ErrorResponseException ere) {
            return TRANSIENT_CODES.contains(ere.errorResponse().code());
        }
        return e instanceof ServerException || e instanceof IOException;
    }

    ArtifactException translate(String op, String target, Exception e, Duration elapsed, int attempts) {
        String where = op + " " + target + " at " + endpoint;
        String tries = isTransient(e) ? tries(elapsed, attempts) : "";
        if (e instanceof LocalIOException l) {
            return new ArtifactException(ArtifactException.Kind.LOCAL_IO, where + ": local I/O failed: " + l.getCause(), l.getCause());
        }
        if (e instanceof ErrorResponseException ere) {
            String code = ere.errorResponse().code();
            String msg = ere.errorResponse().message();
            int status = ere.response() == null ? -1 : ere.response().code();
            String detail = code + (msg == null || msg.isBlank() ? "" : ": " + msg) + ", HTTP " + status;
            if (NOT_FOUND_CODES.contains(code)) {
                String what = "NoSuchBucket".equals(code) ? "no such bucket" : "no such object";
                return new ArtifactException(ArtifactException.Kind.NOT_FOUND, where + ": " + what + " (" + detail + ")", e);
            }
            if (DENIED_CODES.contains(code)) {
                return new ArtifactException(ArtifactException.Kind.ACCESS_DENIED, where + ": access denied for access key '"
                        + accessKey + "' (" + detail + "); check S3_ACCESS_KEY / S3_SECRET_KEY", e);
            }
            return new ArtifactException(ArtifactException.Kind.OTHER, where + ": server error (" + detail + ")" + tries, e);
        }
        if (e instanceof InsufficientDataException) {
            return new ArtifactException(ArtifactException.Kind.LOCAL_IO, where + ": the source ended early: " + e.getMessage(), e);
        }
        if (e instanceof ConnectException || e instanceof UnknownHostException) {
            return new ArtifactException(ArtifactException.Kind.UNAVAILABLE, where + ": S3 endpoint unreachable" + tries + ": " + e, e);
        }
        if (e instanceof IOException || e instanceof ServerException) {
            return new ArtifactException(ArtifactException.Kind.UNAVAILABLE, where + ": connection failed" + tries + ": " + e, e);
        }
        return new ArtifactException(ArtifactException.Kind.OTHER, where + " failed: " + e, e);
    }

    /** " for 95 s (12 attempts)"; tenths below 10 s, where a short configured window would otherwise read "for 3 s". */
    static String tries(Duration elapsed, int attempts) {
        double s = elapsed.toMillis() / 1000.0;
        String secs = s < 10 ? String.format(Locale.ROOT, "%.1f", s) : String.format(Locale.ROOT, "%.0f", s);
        return " for " + secs + " s (" + attempts + (attempts == 1 ? " attempt)" : " attempts)");
    }
}
