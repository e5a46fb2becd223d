package org.memcircuits.artifacts;

import java.time.Duration;

/**
 * How long {@link ArtifactStore} keeps retrying a transient failure (connection refused/reset, timeouts, 5xx,
 * SlowDown) before it gives up with an {@link ArtifactException} of kind {@code UNAVAILABLE} (or {@code OTHER} for
 * a server error).
 *
 * <p>The bound is time, not a number of attempts: attempts that fail fast (connection refused) and attempts that
 * fail slowly (a connect timeout of {@link ArtifactStore#CONNECT_TIMEOUT}) cover the same window. Waits grow
 * exponentially from {@code initialBackoff} to {@code maxBackoff}, each one randomized by
 * &plusmn;{@value #JITTER_FACTOR} of itself so that many replicas do not hammer a recovering server in step. A new
 * attempt starts as long as less than {@code maxDuration} has passed since the first, so a call gives up after
 * {@code maxDuration} plus at most one attempt.
 *
 * @param maxDuration how long to keep trying; {@link #DEFAULT} rides out an outage of a minute and a half
 * @param initialBackoff the wait before the second attempt; doubled before each further one
 * @param maxBackoff the longest wait between two attempts (so a recovered server is noticed within about this)
 */
public record Retries(Duration maxDuration, Duration initialBackoff, Duration maxBackoff) {

    /** Each wait is drawn from [w·(1 − f), w·(1 + f)] around the computed wait w. */
    public static final double JITTER_FACTOR = 0.25;

    /** 90 s in all, waits of 250 ms doubling up to 5 s: a 60 s outage of the S3 server never fails a call. */
    public static final Retries DEFAULT = new Retries(Duration.ofSeconds(90), Duration.ofMillis(250), Duration.ofSeconds(5));

    public Retries {
        requirePositive(maxDuration, "maxDuration");
        requirePositive(initialBackoff, "initialBackoff");
        requirePositive(maxBackoff, "maxBackoff");
        if (maxBackoff.compareTo(initialBackoff) <= 0) {
            throw new IllegalArgumentException("retries: maxBackoff (" + maxBackoff + ") must be longer than initialBackoff ("
                    + initialBackoff + ")");
        }
        if (maxDuration.compareTo(initialBackoff) <= 0) {
            throw new IllegalArgumentException("retries: maxDuration (" + maxDuration + ") must be longer than initialBackoff ("
                    + initialBackoff + ")");
        }
    }

    /**
     * {@link #DEFAULT}'s waits within another window, e.g. a short one for a command-line tool; the longest wait
     * shrinks to a quarter of a window shorter than 20 s, so a short window still sees several attempts.
     */
    public static Retries within(Duration maxDuration) {
        requirePositive(maxDuration, "maxDuration");
        Duration quarter = maxDuration.dividedBy(4);
        Duration maxBackoff = quarter.compareTo(DEFAULT.maxBackoff) < 0 ? quarter : DEFAULT.maxBackoff;
        Duration initial = DEFAULT.initialBackoff.compareTo(maxBackoff) < 0 ? DEFAULT.initialBackoff : maxBackoff.dividedBy(2);
        return new Retries(maxDuration, initial, maxBackoff);
    }

    private static void requirePositive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("retries: " + what + " must be a positive duration, got " + d);
        }
    }
}
