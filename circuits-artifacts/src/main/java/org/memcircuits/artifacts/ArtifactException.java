package org.memcircuits.artifacts;

/**
 * Any failure of {@link ArtifactStore}: unchecked, with a message that names the object ({@code s3://bucket/key})
 * or the endpoint, and a {@link Kind} for callers that react differently (e.g. retry a job on
 * {@link Kind#UNAVAILABLE}, fail it on {@link Kind#INTEGRITY} or {@link Kind#MISMATCH}).
 */
public final class ArtifactException extends RuntimeException {

    public enum Kind {
        /** no such object or bucket */
        NOT_FOUND,
        /** the bytes read (or the object stored) do not match the expected size / SHA-256 */
        INTEGRITY,
        /**
         * {@link ArtifactStore#verify}: the object exists but its size or SHA-256 is not the one the ref names (a
         * request naming the wrong object or version, not damage in transit)
         */
        MISMATCH,
        /** credentials rejected or access denied */
        ACCESS_DENIED,
        /** endpoint unreachable or the connection failed, after retries */
        UNAVAILABLE,
        /** local file system trouble (reading the source, writing the destination) */
        LOCAL_IO,
        /** anything else the server or client reported */
        OTHER
    }

    private final Kind kind;

    public ArtifactException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ArtifactException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
