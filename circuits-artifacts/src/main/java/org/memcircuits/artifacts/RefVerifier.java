package org.memcircuits.artifacts;

import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.memcircuits.contracts.ArtifactRef;

/**
 * {@link ArtifactStore#verify}: whether the object a request names exists with the size and SHA-256 the request
 * says, whoever uploaded it. Cheapest evidence first: the size (stat), our own digest metadata, a remembered digest
 * ({@link DigestRecords}); only then the object's bytes, once.
 */
final class RefVerifier {

    private final MinioClient client;
    private final S3Calls calls;
    private final DigestRecords records;
    private final AtomicLong objectsRead = new AtomicLong();

    RefVerifier(MinioClient client, S3Calls calls, DigestRecords records) {
        this.client = client;
        this.calls = calls;
        this.records = records;
    }

    ArtifactRef verify(ArtifactRef ref) {
        String bucket = ref.bucket();
        String key = ref.key();
        StatObjectResponse stat = calls.callIfExists("verify", ref.uri(),
                        () -> client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build()))
                .orElseThrow(() -> new ArtifactException(ArtifactException.Kind.NOT_FOUND, ref.uri() + " not found at " + calls.endpoint()));
        if (stat.size() != ref.size()) {
            throw sizeMismatch(ref, String.valueOf(stat.size()), "its stat");
        }
        String metadata = Digests.metadataSha(stat.userMetadata());
        if (Digests.isSha256Hex(metadata)) {
            return compare(ref, metadata, "its " + ArtifactStore.SHA256_METADATA + " metadata");
        }
        Optional<DigestRecords.Version> version = DigestRecords.Version.of(stat.headers(), stat.size());
        Optional<String> remembered = version.flatMap(v -> records.remembered(bucket, key, v));
        if (remembered.isPresent()) {
            return compare(ref, remembered.get(), "a digest remembered at " + ArtifactRef.uri(bucket, DigestRecords.recordKey(key)));
        }
        return compare(ref, readAndRemember(ref), "reading the object");
    }

    /** How many times {@link #verify} had to read an object's bytes (the expensive path), for tests and metrics. */
    long objectsRead() {
        return objectsRead.get();
    }

    private String readAndRemember(ArtifactRef ref) {
        objectsRead.incrementAndGet();
        Read read = calls.call("verify", ref.uri(), () -> {
            try (GetObjectResponse in = client.getObject(GetObjectArgs.builder().bucket(ref.bucket()).object(ref.key()).build())) {
                Digests.Received r = Digests.digest(in, ref.size());
                // the version of the bytes just hashed, from the same response: a record never pairs one object's
                // digest with another's ETag, even if the object was replaced between the stat and this read
                return new Read(r, DigestRecords.Version.of(in.headers(), r.count()));
            }
        });
        long count = read.received().count();
        if (count != ref.size()) {
            throw sizeMismatch(ref, count > ref.size() ? "more than " + ref.size() : String.valueOf(count),
                    "as read: it changed after its stat");
        }
        read.version().ifPresent(v -> records.remember(ref.bucket(), ref.key(), v, read.received().sha256()));
        return read.received().sha256();
    }

    private record Read(Digests.Received received, Optional<DigestRecords.Version> version) {}

    private ArtifactRef compare(ArtifactRef ref, String actual, String source) {
        if (!actual.equals(ref.sha256())) {
            throw new ArtifactException(ArtifactException.Kind.MISMATCH, ref.uri() + " at " + calls.endpoint()
                    + ": sha256 mismatch: the ref names " + ref.sha256() + ", the object has " + actual + " (from " + source + ")");
        }
        return ref;
    }

    private ArtifactException sizeMismatch(ArtifactRef ref, String actual, String source) {
        return new ArtifactException(ArtifactException.Kind.MISMATCH, ref.uri() + " at " + calls.endpoint()
                + ": size mismatch: the ref names " + ref.size() + " bytes, the object has " + actual + " bytes (" + source + ")");
    }
}
