package org.memcircuits.artifacts;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import okhttp3.Headers;
import org.memcircuits.contracts.ArtifactRef;

/**
 * Remembered digests of objects that carry no {@value ArtifactStore#SHA256_METADATA} metadata (uploaded by
 * {@code aws s3 cp}, {@code mc}, {@code s3cmd}...), so that {@link ArtifactStore#verify} reads such an object
 * once, not on every request naming it.
 *
 * <p>A record is a small JSON object at {@value #PREFIX}{@code <key>.json} in the object's bucket, holding the
 * SHA-256 and the {@link Version} (size, ETag, Last-Modified) of the bytes that were hashed. It vouches for the
 * object only while the object still has that version: an object overwritten later has another ETag (an MD5 of
 * the content, or of the parts) or Last-Modified time, and is read again. Records are written best effort: a
 * bucket we may read but not write just means objects are read on every verification.
 */
final class DigestRecords {

    /** Where records live in each bucket; keys under it are the store's, not users'. */
    static final String PREFIX = ".circuits-digests/";

    private static final System.Logger LOG = System.getLogger(DigestRecords.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_RECORD_BYTES = 64 * 1024;

    /**
     * Which bytes an object holds, as far as the server tells without reading them.
     *
     * @param etag without quotes
     */
    record Version(long size, String etag, Instant lastModified) {

        /** From a HEAD or GET response; empty if the server sent no ETag or Last-Modified (nothing to vouch by). */
        static Optional<Version> of(Headers headers, long size) {
            String etag = headers.get("ETag");
            String modified = headers.get("Last-Modified");
            if (etag == null || etag.isBlank() || modified == null) {
                return Optional.empty();
            }
            try {
                Instant t = ZonedDateTime.parse(modified.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Optional.of(new Version(size, etag.trim().replace("\"", ""), t));
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
    }

    /** The JSON form; {@code object} is for people reading the bucket. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Record(String object, String sha256, long size, String etag, String lastModified) {

        boolean describes(Version v) {
            return size == v.size() && v.etag().equals(etag) && v.lastModified().toString().equals(lastModified);
        }
    }

    private final MinioClient client;
    private final S3Calls calls;

    DigestRecords(MinioClient client, S3Calls calls) {
        this.client = client;
        this.calls = calls;
    }

    static String recordKey(String key) {
        return PREFIX + key + ".json";
    }

    /** The remembered SHA-256 of {@code s3://bucket/key}, if a record describes exactly its {@code current} version. */
    Optional<String> remembered(String bucket, String key, Version current) {
        String recordUri = ArtifactRef.uri(bucket, recordKey(key));
        Optional<byte[]> json;
        try {
            json = calls.callIfExists("read digest record", recordUri, () -> {
                try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(recordKey(key)).build())) {
                    return in.readNBytes(MAX_RECORD_BYTES);
                }
            });
        } catch (ArtifactException e) {
            LOG.log(System.Logger.Level.WARNING, "ignoring the digest record {0}: {1}", recordUri, e.getMessage());
            return Optional.empty();
        }
        if (json.isEmpty()) {
            return Optional.empty();
        }
        Record r;
        try {
            r = JSON.readValue(json.get(), Record.class);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "ignoring the unreadable digest record {0}: {1}", recordUri, e.getMessage());
            return Optional.empty();
        }
        if (!Digests.isSha256Hex(r.sha256()) || !r.describes(current)) {
            // the object was replaced since it was hashed (or the record is not ours): never trust it
            return Optional.empty();
        }
        return Optional.of(r.sha256());
    }

    /** Remembers {@code sha256} for {@code version} of {@code s3://bucket/key}; failures are logged, not thrown. */
    void remember(String bucket, String key, Version version, String sha256) {
        String recordUri = ArtifactRef.uri(bucket, recordKey(key));
        try {
            byte[] json = JSON.writeValueAsBytes(new Record(ArtifactRef.uri(bucket, key), sha256, version.size(), version.etag(),
                    version.lastModified().toString()));
            calls.call("write digest record", recordUri, () -> client.putObject(PutObjectArgs.builder()
                    .bucket(bucket).object(recordKey(key))
                    .stream(new ByteArrayInputStream(json), json.length, -1)
                    .contentType("application/json")
                    .build()));
        } catch (IOException | ArtifactException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remember the sha256 of {0} in {1} (it will be read again next time): {2}",
                    ArtifactRef.uri(bucket, key), recordUri, e.getMessage());
        }
    }
}
