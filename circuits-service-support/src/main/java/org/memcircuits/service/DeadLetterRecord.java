package org.memcircuits.service;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.memcircuits.contracts.JobIds;
import org.memcircuits.contracts.Topics;

/**
 * The dead-letter record of a failed record, bounded so that it always fits the producer's request
 * limit (1 MB by default) whatever the original looked like: the original key, headers and payload
 * are kept while they are small; a large payload or key is replaced by its sha256 and size, and
 * original headers beyond {@value #MAX_ORIGINAL_HEADER_BYTES} bytes are dropped (and counted).
 * Header names follow SmallRye's dead-letter strategy, so tools written for it read these too.
 */
public final class DeadLetterRecord {
    public static final String REASON = "dead-letter-reason";
    public static final String CAUSE = "dead-letter-cause";
    public static final String TOPIC = "dead-letter-topic";
    public static final String PARTITION = "dead-letter-partition";
    public static final String OFFSET = "dead-letter-offset";
    public static final String PAYLOAD_SHA256 = "dead-letter-payload-sha256";
    public static final String PAYLOAD_SIZE = "dead-letter-payload-size";
    public static final String KEY_SHA256 = "dead-letter-key-sha256";
    public static final String HEADERS_DROPPED = "dead-letter-headers-dropped";

    static final int MAX_ORIGINAL_HEADER_BYTES = 64 * 1024;
    static final int MAX_KEY_CHARS = 1024;

    private DeadLetterRecord() {}

    /**
     * @param source where the failed record came from
     * @param payload its data as received, byte for byte (may be null)
     * @param reason why it failed (already bounded by the caller)
     * @param maxPayloadBytes payloads above this are replaced by their digest and size
     */
    public static ProducerRecord<String, byte[]> of(Source source, byte[] payload, String reason, String cause,
            int maxPayloadBytes) {
        Headers headers = new RecordHeaders();
        int kept = 0;
        int dropped = 0;
        if (source.headers() != null) {
            for (Header h : source.headers()) {
                int size = h.key().length() + (h.value() == null ? 0 : h.value().length);
                if (kept + size <= MAX_ORIGINAL_HEADER_BYTES && !h.key().startsWith("dead-letter-")) {
                    headers.add(h.key(), h.value());
                    kept += size;
                } else {
                    dropped++;
                }
            }
        }
        if (dropped > 0) {
            headers.add(HEADERS_DROPPED, utf8(Integer.toString(dropped)));
        }
        headers.add(REASON, utf8(reason == null ? "" : reason));
        if (cause != null) {
            headers.add(CAUSE, utf8(cause));
        }
        headers.add(TOPIC, utf8(source.topic()));
        headers.add(PARTITION, utf8(Integer.toString(source.partition())));
        headers.add(OFFSET, utf8(Long.toString(source.offset())));

        String key = source.key();
        if (key != null && key.length() > MAX_KEY_CHARS) {
            headers.add(KEY_SHA256, utf8(JobIds.sha256(key.getBytes(StandardCharsets.UTF_8))));
            key = key.substring(0, MAX_KEY_CHARS);
        }
        byte[] value = payload;
        if (value != null && value.length > maxPayloadBytes) {
            headers.add(PAYLOAD_SHA256, utf8(JobIds.sha256(value)));
            headers.add(PAYLOAD_SIZE, utf8(Integer.toString(value.length)));
            value = null;
        }
        return new ProducerRecord<>(Topics.deadLetter(source.topic()), null, key, value, headers);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Where a failed record was read: its topic, partition, offset, key and headers. */
    public record Source(String topic, int partition, long offset, String key, Iterable<Header> headers) {}
}
