package org.memcircuits.artifacts;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.memcircuits.contracts.ArtifactRef;

/**
 * Verified artifact storage over an S3-compatible server (MinIO client).
 *
 * <ul>
 *   <li>Every object written by {@link #put} carries its SHA-256 as user metadata {@value #SHA256_METADATA}
 *       ({@code x-amz-meta-sha256}), set in the same request that creates it, so an object appears atomically
 *       together with its digest. {@code put} then checks the stored size and digest with a stat before it
 *       returns the {@link ArtifactRef}: an event built from that ref never points at a half-written or wrong
 *       object.</li>
 *   <li>Every read ({@link #download}, {@link #read}, {@link #open}) checks the size and SHA-256 of the bytes
 *       actually received against the ref, whatever the server's metadata says.</li>
 *   <li>{@link #verify} checks a ref that a request names, whoever uploaded the object. An object without our
 *       digest metadata is read and hashed once; the digest is then remembered in a small JSON record at
 *       {@value #DIGEST_RECORD_PREFIX}{@code <key>.json} in the object's bucket, together with the object's size,
 *       ETag and Last-Modified time, and trusted only while the object still has those: an object overwritten
 *       later is read again, never vouched for by the stale record. The record is a separate object because S3
 *       cannot add metadata to an object without copying it (which would also change its ETag and date, and needs
 *       write access to the user's object). Writing the record is best effort: where it fails (e.g. a read-only
 *       bucket) the failure is logged and the object is simply read on each verification.</li>
 *   <li>Failures are {@link ArtifactException}s naming the {@code s3://bucket/key} and the endpoint. Transient
 *       ones (connection refused/reset, timeouts, 5xx, SlowDown) are retried first with exponential backoff and
 *       jitter for a bounded time ({@link Retries}, 90 s by default, so a minute's outage of the S3 server fails no
 *       call); the others (not found, access denied, local I/O) fail at once.</li>
 * </ul>
 * Thread-safe (the MinIO client is). Close it: the client's OkHttp dispatcher threads are not daemon threads.
 */
public final class ArtifactStore implements AutoCloseable {

    /** User-metadata key holding the lowercase hex SHA-256 of the object's bytes. */
    public static final String SHA256_METADATA = "sha256";
    public static final String DEFAULT_MEDIA_TYPE = "application/octet-stream";
    /** {@link #read} refuses refs larger than this; use {@link #download} or {@link #open}. */
    public static final long MAX_READ_BYTES = 256L * 1024 * 1024;
    /** Reserved key prefix, in any bucket {@link #verify} checks, for remembered digests of foreign uploads. */
    public static final String DIGEST_RECORD_PREFIX = DigestRecords.PREFIX;
    /**
     * How long one attempt may take to connect. Short against {@link Retries#DEFAULT}'s 90 s, so that even a
     * silent (not refusing) endpoint gets several attempts within the window.
     */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long one attempt may wait for the next bytes of a request or response: patient with big parts. */
    public static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(5);

    private final StorageConfig config;
    private final MinioClient client;
    private final S3Calls calls;
    private final RefVerifier verifier;

    /** A store that retries transient failures for {@link Retries#DEFAULT} (90 s). */
    public ArtifactStore(StorageConfig config) {
        this(config, Retries.DEFAULT);
    }

    /** A store that retries transient failures (connection refused/reset, timeouts, 5xx, SlowDown) as {@code retries} says. */
    public ArtifactStore(StorageConfig config, Retries retries) {
        this.config = config;
        this.calls = new S3Calls(config.endpoint(), config.accessKey(), retries);
        try {
            this.client = MinioClient.builder()
                    .endpoint(config.endpoint())
                    .credentials(config.accessKey(), config.secretKey())
                    // a fixed region: no GetBucketLocation round trip before each first request per bucket
                    .region(config.region())
                    .build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad S3 endpoint '" + config.endpoint() + "': " + e.getMessage(), e);
        }
        // the client's default is 5 minutes for each; fail fast on a dead endpoint, stay patient with big parts
        client.setTimeout(CONNECT_TIMEOUT.toMillis(), TRANSFER_TIMEOUT.toMillis(), TRANSFER_TIMEOUT.toMillis());
        this.verifier = new RefVerifier(client, calls, new DigestRecords(client, calls));
    }

    /** {@code new ArtifactStore(StorageConfig.fromEnv())} */
    public static ArtifactStore fromEnv() {
        return new ArtifactStore(StorageConfig.fromEnv());
    }

    public StorageConfig config() {
        return config;
    }

    public String bucket() {
        return config.bucket();
    }

    /** {@code s3://<bucket>/<key>} in this store's bucket. */
    public String uri(String key) {
        return ArtifactRef.uri(config.bucket(), checkKey(key));
    }

    // ------------------------------------------------------------------------------------------------------------
    // bucket

    /** Creates the store's bucket unless it exists (safe against a concurrent creator). */
    public void ensureBucket() {
        String bucket = config.bucket();
        String target = "s3://" + bucket;
        calls.call("ensure bucket", target, () -> {
            if (client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                return null;
            }
            try {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).region(config.region()).build());
            } catch (ErrorResponseException e) {
                String code = e.errorResponse().code();
                if (!"BucketAlreadyOwnedByYou".equals(code) && !"BucketAlreadyExists".equals(code)) {
                    throw e;
                }
            }
            return null;
        });
    }

    // ------------------------------------------------------------------------------------------------------------
    // write

    /**
     * Stores {@code file} under {@code key} in the store's bucket and returns its verified ref.
     *
     * <p>The file is read twice, streaming (never whole in memory): once to compute the SHA-256 that goes into the
     * object's metadata (S3 wants metadata before the body), once to upload, hashing again what is sent. If the
     * two digests differ (the file changed meanwhile) the object is deleted and an {@link ArtifactException} of
     * kind {@code LOCAL_IO} is thrown. Files above 5 MiB go up as multipart uploads (the client's doing). If a
     * complete object with the same size, SHA-256 and media type is already there, nothing is uploaded (an
     * idempotent re-put, e.g. a redelivered job).
     */
    public ArtifactRef put(String key, Path file, String mediaType) {
        String uri = uri(key);
        String type = mediaType(mediaType);
        long size;
        String sha;
        try {
            size = Files.size(file);
            try (InputStream in = Files.newInputStream(file)) {
                sha = Digests.sha256(in);
            }
        } catch (IOException e) {
            throw new ArtifactException(ArtifactException.Kind.LOCAL_IO, "put " + uri + ": cannot read " + file + ": " + e, e);
        }
        Optional<ArtifactRef> existing = sameAlreadyStored(key, sha, size, type);
        if (existing.isPresent()) {
            return existing.get();
        }
        calls.call("put", uri, () -> {
            Digests.HashingInputStream in = new Digests.HashingInputStream(LocalIOException.marking(openLocal(file)));
            try (in) {
                client.putObject(putArgs(key, in, size, type, sha));
            }
            String sent = in.hex();
            if (in.count() != size || !sent.equals(sha)) {
                delete(key);
                throw new ArtifactException(ArtifactException.Kind.LOCAL_IO, "put " + uri + ": " + file
                        + " changed while it was being uploaded (sha256 " + sha + " / " + size + " bytes before, "
                        + sent + " / " + in.count() + " bytes sent); the object was deleted");
            }
            return null;
        });
        return verifyStored(key, sha, size, type);
    }

    /** Stores {@code bytes} under {@code key} in the store's bucket and returns its verified ref. */
    public ArtifactRef put(String key, byte[] bytes, String mediaType) {
        String uri = uri(key);
        String type = mediaType(mediaType);
        String sha = Digests.sha256(bytes);
        long size = bytes.length;
        Optional<ArtifactRef> existing = sameAlreadyStored(key, sha, size, type);
        if (existing.isPresent()) {
            return existing.get();
        }
        calls.call("put", uri, () -> client.putObject(putArgs(key, new ByteArrayInputStream(bytes), size, type, sha)));
        return verifyStored(key, sha, size, type);
    }

    private PutObjectArgs putArgs(String key, InputStream in, long size, String type, String sha) {
        return PutObjectArgs.builder()
                .bucket(config.bucket())
                .object(key)
                .stream(in, size, -1)   // -1: the client picks the part size (5 MiB minimum) and goes multipart above it
                .contentType(type)
                .userMetadata(Map.of(SHA256_METADATA, sha))
                .build();
    }

    private Optional<ArtifactRef> sameAlreadyStored(String key, String sha, long size, String type) {
        return find(key).filter(r -> r.sha256().equals(sha) && r.size() == size && type.equals(r.mediaType()));
    }

    private ArtifactRef verifyStored(String key, String sha, long size, String type) {
        String uri = uri(key);
        StatObjectResponse stat = stat(key).orElseThrow(() -> new ArtifactException(ArtifactException.Kind.INTEGRITY,
                "put " + uri + " at " + config.endpoint() + ": the object is missing right after the upload"));
        String stored = Digests.metadataSha(stat.userMetadata());
        if (stat.size() != size || !sha.equals(stored)) {
            throw new ArtifactException(ArtifactException.Kind.INTEGRITY, "put " + uri + " at " + config.endpoint()
                    + ": the stored object does not match what was sent (sent " + size + " bytes, sha256 " + sha
                    + "; stored " + stat.size() + " bytes, metadata sha256 " + stored + ")");
        }
        return new ArtifactRef(uri, sha, size, type);
    }

    // ------------------------------------------------------------------------------------------------------------
    // look up

    /**
     * The ref of a complete object at {@code key} in the store's bucket: one that carries the {@value #SHA256_METADATA}
     * metadata {@link #put} writes. Empty if there is no object, or one without (valid) digest metadata. This is the
     * check for the store's own objects (idempotent re-puts); to check a ref a request names, use {@link #verify}.
     */
    public Optional<ArtifactRef> find(String key) {
        String uri = uri(key);
        return stat(key).flatMap(s -> {
            String sha = Digests.metadataSha(s.userMetadata());
            if (!Digests.isSha256Hex(sha)) {
                return Optional.empty();
            }
            String type = s.contentType() == null || s.contentType().isBlank() ? DEFAULT_MEDIA_TYPE : s.contentType();
            return Optional.of(new ArtifactRef(uri, sha, s.size(), type));
        });
    }

    /**
     * Checks that the object {@code ref} names (in {@code ref.bucket()}, whichever bucket that is) exists with
     * exactly {@code ref}'s size and SHA-256, and returns {@code ref}. Unlike {@link #find}, this accepts objects
     * uploaded by any client ({@code aws s3 cp}, {@code mc}, {@code s3cmd}...), which carry no
     * {@value #SHA256_METADATA} metadata; the ref's media type is not compared.
     *
     * <p>Evidence, cheapest first: the size from a stat (a wrong size fails without reading the object); the
     * object's {@value #SHA256_METADATA} metadata if it has one; a digest remembered by an earlier verification
     * (see the class comment), if it was taken of the object's current version; else the object is read once,
     * hashed, and its digest remembered.
     *
     * @throws ArtifactException of kind {@code NOT_FOUND} ({@code "s3://b/k not found at <endpoint>"}, also for a
     *     missing bucket), of kind {@code MISMATCH} ({@code "s3://b/k at <endpoint>: size mismatch: the ref names
     *     N bytes, the object has M bytes (...)"} or {@code "...: sha256 mismatch: the ref names <hex>, the object
     *     has <hex> (from ...)"}), or as any other call (UNAVAILABLE, ACCESS_DENIED, ...)
     */
    public ArtifactRef verify(ArtifactRef ref) {
        return verifier.verify(ref);
    }

    /** How many times {@link #verify} has read an object's bytes in this store (its expensive path). */
    long objectsReadByVerify() {
        return verifier.objectsRead();
    }

    /** Whether any object (complete or not, see {@link #find}) exists at {@code key} in the store's bucket. */
    public boolean exists(String key) {
        return stat(key).isPresent();
    }

    /** All keys under {@code prefix} in the store's bucket, recursively, in the server's (lexicographic) order. */
    public List<String> list(String prefix) {
        String bucket = config.bucket();
        String p = prefix == null ? "" : prefix;
        return calls.call("list", "s3://" + bucket + "/" + p, () -> {
            List<String> keys = new ArrayList<>();
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(p).recursive(true).build())) {
                Item item = r.get();
                if (!item.isDir()) {
                    keys.add(item.objectName());
                }
            }
            return keys;
        });
    }

    /** Deletes the object at {@code key} in the store's bucket; no error if there is none. */
    public void delete(String key) {
        String bucket = config.bucket();
        calls.call("delete", uri(key), () -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
            return null;
        });
    }

    private Optional<StatObjectResponse> stat(String key) {
        String bucket = config.bucket();
        return calls.callIfExists("stat", uri(key), () -> client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build()));
    }

    // ------------------------------------------------------------------------------------------------------------
    // read

    /**
     * Downloads {@code ref} (any bucket) to {@code dest}: streams into a temp file beside {@code dest}
     * ({@code .<name>.<random>.partial}), checks size and SHA-256 of the bytes received against the ref, fsyncs,
     * then renames it onto {@code dest} atomically (replacing it). On a mismatch the temp file is deleted, {@code dest}
     * is left untouched and an {@link ArtifactException} of kind {@code INTEGRITY} names the uri and both digests.
     */
    public Path download(ArtifactRef ref, Path dest) {
        Path target = dest.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".partial");
        } catch (IOException e) {
            throw new ArtifactException(ArtifactException.Kind.LOCAL_IO, "download " + ref.uri() + ": cannot create a temp file in " + dir + ": " + e, e);
        }
        try {
            Digests.Received got = calls.call("download", ref.uri(), () -> {
                try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(ref.bucket()).object(ref.key()).build());
                     FileChannel out = openLocalForWrite(tmp)) {
                    Digests.Received r = Digests.copy(in, out, ref.size());
                    try {
                        out.force(true);
                    } catch (IOException e) {
                        throw new LocalIOException(e);
                    }
                    return r;
                }
            });
            Digests.checkReceived(ref, got.count(), got.sha256(), config.endpoint());
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new ArtifactException(ArtifactException.Kind.LOCAL_IO, "download " + ref.uri() + ": cannot move the verified file to " + target + ": " + e, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort; the .partial suffix marks it as garbage
            }
        }
    }

    /** The whole object as bytes, verified against {@code ref}; for small objects (at most {@link #MAX_READ_BYTES}). */
    public byte[] read(ArtifactRef ref) {
        if (ref.size() > MAX_READ_BYTES) {
            throw new IllegalArgumentException("read " + ref.uri() + ": " + ref.size() + " bytes is more than read() holds in memory ("
                    + MAX_READ_BYTES + "); use download() or open()");
        }
        byte[] bytes = calls.call("read", ref.uri(), () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(ref.bucket()).object(ref.key()).build())) {
                return in.readNBytes((int) ref.size() + 1);   // one byte more than expected reveals a longer object
            }
        });
        Digests.checkReceived(ref, bytes.length, Digests.sha256(bytes), config.endpoint());
        return bytes;
    }

    /**
     * A stream of the object's bytes. Reading it to the end checks size and SHA-256 against {@code ref}: the read that
     * reaches EOF (or passes the expected size) throws an {@link ArtifactException} of kind {@code INTEGRITY} on a
     * mismatch. A stream closed before EOF is not checked. Not retried once opened. Close it.
     */
    public InputStream open(ArtifactRef ref) {
        InputStream raw = calls.call("open", ref.uri(),
                () -> client.getObject(GetObjectArgs.builder().bucket(ref.bucket()).object(ref.key()).build()));
        return new Digests.VerifyingInputStream(raw, ref, config.endpoint());
    }

    private static InputStream openLocal(Path file) throws LocalIOException {
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw new LocalIOException(e);
        }
    }

    private static FileChannel openLocalForWrite(Path file) throws LocalIOException {
        try {
            return FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new LocalIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // helpers

    private static String mediaType(String mediaType) {
        return mediaType == null || mediaType.isBlank() ? DEFAULT_MEDIA_TYPE : mediaType;
    }

    private static String checkKey(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/")) {
            throw new IllegalArgumentException("object key must be non-empty and not start with '/', got '" + key + "'");
        }
        return key;
    }

    // ------------------------------------------------------------------------------------------------------------

    /** Shuts the client's HTTP dispatcher and connection pool down (its threads would keep a JVM alive ~60 s). */
    @Override
    public void close() {
        try {
            client.close();
        } catch (Exception e) {
            throw new ArtifactException(ArtifactException.Kind.OTHER, "closing the S3 client for " + config.endpoint() + ": " + e, e);
        }
    }

    @Override
    public String toString() {
        return "ArtifactStore[" + config.endpoint() + ", bucket " + config.bucket() + "]";
    }
}
