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
import io.minio.errors.InsufficientDataException;
import io.minio.errors.ServerException;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
 *   <li>Failures are {@link ArtifactException}s naming the {@code s3://bucket/key} and the endpoint; connection
 *       failures and 5xx/SlowDown answers are retried with exponential backoff first.</li>
 * </ul>
 * Thread-safe (the MinIO client is). Close it: the client's OkHttp dispatcher threads are not daemon threads.
 */
public final class ArtifactStore implements AutoCloseable {

    /** User-metadata key holding the lowercase hex SHA-256 of the object's bytes. */
    public static final String SHA256_METADATA = "sha256";
    public static final String DEFAULT_MEDIA_TYPE = "application/octet-stream";
    /** {@link #read} refuses refs larger than this; use {@link #download} or {@link #open}. */
    public static final long MAX_READ_BYTES = 256L * 1024 * 1024;
    public static final int DEFAULT_MAX_ATTEMPTS = 4;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(250);

    private static final int BUFFER = 64 * 1024;
    private static final Set<String> NOT_FOUND_CODES = Set.of("NoSuchKey", "NoSuchBucket", "NoSuchObject", "ResourceNotFound", "NoSuchVersion");
    private static final Set<String> DENIED_CODES = Set.of("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch",
            "InvalidToken", "ExpiredToken", "AllAccessDisabled", "AuthorizationHeaderMalformed");
    private static final Set<String> TRANSIENT_CODES = Set.of("InternalError", "SlowDown", "ServiceUnavailable", "RequestTimeout",
            "OperationAborted");

    private final StorageConfig config;
    private final MinioClient client;
    private final int maxAttempts;
    private final Duration initialBackoff;

    /** A store with {@value #DEFAULT_MAX_ATTEMPTS} attempts per operation, backoff 250 ms, doubling. */
    public ArtifactStore(StorageConfig config) {
        this(config, DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF);
    }

    /**
     * @param maxAttempts tries per operation for transient failures (connection refused/reset, timeouts, 5xx), at least 1
     * @param initialBackoff wait before the second try; doubled before each further one
     */
    public ArtifactStore(StorageConfig config, int maxAttempts, Duration initialBackoff) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1");
        }
        this.config = config;
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
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
        client.setTimeout(TimeUnit.SECONDS.toMillis(10), TimeUnit.MINUTES.toMillis(5), TimeUnit.MINUTES.toMillis(5));
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
        call("ensure bucket", target, () -> {
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
                sha = sha256(in);
            }
        } catch (IOException e) {
            throw new ArtifactException(ArtifactException.Kind.LOCAL_IO, "put " + uri + ": cannot read " + file + ": " + e, e);
        }
        Optional<ArtifactRef> existing = sameAlreadyStored(key, sha, size, type);
        if (existing.isPresent()) {
            return existing.get();
        }
        call("put", uri, () -> {
            DigestInputStream in = new DigestInputStream(new LocalInput(openLocal(file)));
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
        String sha = hex(sha256Digest().digest(bytes));
        long size = bytes.length;
        Optional<ArtifactRef> existing = sameAlreadyStored(key, sha, size, type);
        if (existing.isPresent()) {
            return existing.get();
        }
        call("put", uri, () -> client.putObject(putArgs(key, new ByteArrayInputStream(bytes), size, type, sha)));
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
        String stored = metadataSha(stat);
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
     * metadata {@link #put} writes. Empty if there is no object, or one without (valid) digest metadata.
     */
    public Optional<ArtifactRef> find(String key) {
        String uri = uri(key);
        return stat(key).flatMap(s -> {
            String sha = metadataSha(s);
            if (sha == null || !sha.matches("[0-9a-f]{64}")) {
                return Optional.empty();
            }
            String type = s.contentType() == null || s.contentType().isBlank() ? DEFAULT_MEDIA_TYPE : s.contentType();
            return Optional.of(new ArtifactRef(uri, sha, s.size(), type));
        });
    }

    /** Whether any object (complete or not, see {@link #find}) exists at {@code key} in the store's bucket. */
    public boolean exists(String key) {
        return stat(key).isPresent();
    }

    /** All keys under {@code prefix} in the store's bucket, recursively, in the server's (lexicographic) order. */
    public List<String> list(String prefix) {
        String bucket = config.bucket();
        String p = prefix == null ? "" : prefix;
        return call("list", "s3://" + bucket + "/" + p, () -> {
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
        call("delete", uri(key), () -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
            return null;
        });
    }

    private Optional<StatObjectResponse> stat(String key) {
        String bucket = config.bucket();
        try {
            return Optional.of(call("stat", uri(key), () -> client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build())));
        } catch (ArtifactException e) {
            if (e.kind() == ArtifactException.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static String metadataSha(StatObjectResponse stat) {
        for (Map.Entry<String, String> e : stat.userMetadata().entrySet()) {
            if (e.getKey().equalsIgnoreCase(SHA256_METADATA) || e.getKey().equalsIgnoreCase("x-amz-meta-" + SHA256_METADATA)) {
                return e.getValue() == null ? null : e.getValue().trim();
            }
        }
        return null;
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
            Received got = call("download", ref.uri(), () -> {
                try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(ref.bucket()).object(ref.key()).build());
                     FileChannel out = openLocalForWrite(tmp)) {
                    Received r = copy(in, out, ref.size());
                    try {
                        out.force(true);
                    } catch (IOException e) {
                        throw new LocalIOException(e);
                    }
                    return r;
                }
            });
            checkIntegrity(ref, got.count, got.sha256);
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
        byte[] bytes = call("read", ref.uri(), () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(ref.bucket()).object(ref.key()).build())) {
                return in.readNBytes((int) ref.size() + 1);   // one byte more than expected reveals a longer object
            }
        });
        checkIntegrity(ref, bytes.length, hex(sha256Digest().digest(bytes)));
        return bytes;
    }

    /**
     * A stream of the object's bytes. Reading it to the end checks size and SHA-256 against {@code ref}: the read that
     * reaches EOF (or passes the expected size) throws an {@link ArtifactException} of kind {@code INTEGRITY} on a
     * mismatch. A stream closed before EOF is not checked. Not retried once opened. Close it.
     */
    public InputStream open(ArtifactRef ref) {
        InputStream raw = call("open", ref.uri(),
                () -> client.getObject(GetObjectArgs.builder().bucket(ref.bucket()).object(ref.key()).build()));
        return new VerifyingInputStream(raw, ref);
    }

    private void checkIntegrity(ArtifactRef ref, long count, String sha) {
        if (count != ref.size() || !sha.equals(ref.sha256())) {
            throw new ArtifactException(ArtifactException.Kind.INTEGRITY, "integrity check failed for " + ref.uri() + " at "
                    + config.endpoint() + ": expected sha256 " + ref.sha256() + " (" + ref.size() + " bytes), got sha256 " + sha
                    + " (" + (count > ref.size() ? "more than " + ref.size() : count) + " bytes)");
        }
    }

    private record Received(long count, String sha256) {}

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

    /** Copies at most {@code expected + 1} bytes (enough to tell a longer object) while hashing them. */
    private static Received copy(InputStream in, FileChannel out, long expected) throws IOException {
        MessageDigest md = sha256Digest();
        byte[] buf = new byte[BUFFER];
        long count = 0;
        long limit = expected + 1;
        int n;
        while (count < limit && (n = in.read(buf, 0, (int) Math.min(buf.length, limit - count))) != -1) {
            md.update(buf, 0, n);
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
            try {
                while (bb.hasRemaining()) {
                    out.write(bb);
                }
            } catch (IOException e) {
                throw new LocalIOException(e);
            }
            count += n;
        }
        return new Received(count, hex(md.digest()));
    }

    // ------------------------------------------------------------------------------------------------------------
    // retries and error mapping

    @FunctionalInterface
    private interface S3Call<T> {
        T run() throws Exception;
    }

    private <T> T call(String op, String target, S3Call<T> body) {
        long backoff = initialBackoff.toMillis();
        for (int attempt = 1; ; attempt++) {
            try {
                return body.run();
            } catch (ArtifactException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                // the client's own argument checks, e.g. a bucket name S3 does not allow
                throw new IllegalArgumentException(op + " " + target + ": " + e.getMessage(), e);
            } catch (Exception e) {
                boolean transientFailure = isTransient(e);
                if (!transientFailure || attempt >= maxAttempts) {
                    throw translate(op, target, e, attempt);
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw translate(op, target, e, attempt);
                }
                backoff *= 2;
            }
        }
    }

    private static boolean isTransient(Exception e) {
        if (e instanceof LocalIOException || e instanceof InterruptedIOException && !(e instanceof java.net.SocketTimeoutException)) {
            return false;
        }
        if (e instanceof ErrorResponseException ere) {
            return TRANSIENT_CODES.contains(ere.errorResponse().code());
        }
        return e instanceof ServerException || e instanceof IOException;
    }

    private ArtifactException translate(String op, String target, Exception e, int attempts) {
        String where = op + " " + target + " at " + config.endpoint();
        String tries = attempts > 1 ? " (after " + attempts + " attempts)" : "";
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
                        + config.accessKey() + "' (" + detail + "); check S3_ACCESS_KEY / S3_SECRET_KEY", e);
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
        return new ArtifactException(ArtifactException.Kind.OTHER, where + " failed" + tries + ": " + e, e);
    }

    /** An I/O failure on our side (source file, destination file): never retried, never blamed on the server. */
    private static final class LocalIOException extends IOException {
        LocalIOException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** Marks the source's read failures as local. */
    private static final class LocalInput extends FilterInputStream {
        LocalInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw new LocalIOException(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw new LocalIOException(e);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // digests

    /** Hashes what is read through it; {@link #skip} is routed through {@link #read} so nothing escapes the digest. */
    private static class DigestInputStream extends FilterInputStream {
        private final MessageDigest md = sha256Digest();
        private long count;

        DigestInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                md.update((byte) b);
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                md.update(b, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(BUFFER, Math.max(n, 1))];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public synchronized void mark(int readlimit) {
            // unsupported: a reset would hash bytes twice
        }

        @Override
        public synchronized void reset() throws IOException {
            throw new IOException("mark/reset not supported");
        }

        long count() {
            return count;
        }

        String hex() {
            return ArtifactStore.hex(md.digest());
        }
    }

    private final class VerifyingInputStream extends DigestInputStream {
        private final ArtifactRef ref;
        private boolean checked;

        VerifyingInputStream(InputStream in, ArtifactRef ref) {
            super(in);
            this.ref = ref;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            afterRead(b < 0);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            afterRead(n < 0);
            return n;
        }

        private void afterRead(boolean eof) {
            if (checked) {
                return;
            }
            if (count() > ref.size()) {
                checked = true;
                checkIntegrity(ref, count(), "(not computed: too many bytes)");
            } else if (eof) {
                checked = true;
                checkIntegrity(ref, count(), hex());
            }
        }
    }

    static String sha256(InputStream in) throws IOException {
        MessageDigest md = sha256Digest();
        byte[] buf = new byte[BUFFER];
        int n;
        while ((n = in.read(buf)) != -1) {
            md.update(buf, 0, n);
        }
        return hex(md.digest());
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

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
