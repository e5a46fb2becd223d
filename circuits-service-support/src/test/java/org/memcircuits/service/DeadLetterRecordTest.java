package org.memcircuits.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.memcircuits.contracts.JobIds;

class DeadLetterRecordTest {
    private static final int LIMIT = 512 * 1024;

    @Test
    void smallRecordKeepsKeyHeadersAndPayloadAndSaysWhereItCameFrom() {
        var source = new DeadLetterRecord.Source("circuits.score.requests", 3, 42L, "job-1",
                List.of(header("ce_type", "x"), header("ce_id", "1")));
        ProducerRecord<String, byte[]> r = DeadLetterRecord.of(source, "{\"a\":1}".getBytes(StandardCharsets.UTF_8), "bad", "java.lang.X", LIMIT);
        assertThat(r.topic()).isEqualTo("circuits.score.requests.dlq");
        assertThat(r.key()).isEqualTo("job-1");
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        assertThat(text(r, "ce_type")).isEqualTo("x");
        assertThat(text(r, DeadLetterRecord.REASON)).isEqualTo("bad");
        assertThat(text(r, DeadLetterRecord.CAUSE)).isEqualTo("java.lang.X");
        assertThat(text(r, DeadLetterRecord.TOPIC)).isEqualTo("circuits.score.requests");
        assertThat(text(r, DeadLetterRecord.PARTITION)).isEqualTo("3");
        assertThat(text(r, DeadLetterRecord.OFFSET)).isEqualTo("42");
        assertThat(r.headers().lastHeader(DeadLetterRecord.PAYLOAD_SHA256)).isNull();
    }

    @Test
    void oversizedPayloadKeyAndHeadersAreReplacedSoTheRecordStaysUnderTheProducerLimit() {
        String payload = "x".repeat(900 * 1024);
        String key = "k".repeat(200 * 1024);
        List<Header> many = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            many.add(new RecordHeader("h" + i, new byte[10 * 1024]));
        }
        ProducerRecord<String, byte[]> r = DeadLetterRecord.of(new DeadLetterRecord.Source("t", 0, 7L, key, many),
                payload.getBytes(StandardCharsets.UTF_8),
                Bounded.text("why ".repeat(100_000), 4096), null, LIMIT);
        assertThat(r.value()).isNull();
        assertThat(text(r, DeadLetterRecord.PAYLOAD_SIZE)).isEqualTo(Integer.toString(900 * 1024));
        assertThat(text(r, DeadLetterRecord.PAYLOAD_SHA256)).isEqualTo(JobIds.sha256(payload.getBytes(StandardCharsets.UTF_8)));
        assertThat(text(r, DeadLetterRecord.KEY_SHA256)).isEqualTo(JobIds.sha256(key.getBytes(StandardCharsets.UTF_8)));
        assertThat(r.key()).hasSize(DeadLetterRecord.MAX_KEY_CHARS);
        assertThat(text(r, DeadLetterRecord.HEADERS_DROPPED)).isEqualTo("14");
        long size = r.key().length();
        for (Header h : r.headers()) {
            size += h.key().length() + h.value().length;
        }
        assertThat(size).as("bytes of key and headers").isLessThan(100 * 1024);
        assertThat(text(r, DeadLetterRecord.REASON)).hasSizeLessThanOrEqualTo(4096).contains("400000 characters in all");
    }

    @Test
    void binaryPayloadIsKeptByteForByte() {
        byte[] junk = {(byte) 0xff, 0, (byte) 0xc3, 0x28, (byte) 0x80, 'a'};
        ProducerRecord<String, byte[]> r = DeadLetterRecord.of(new DeadLetterRecord.Source("t", 0, 0L, "k", null), junk, "not UTF-8",
                null, LIMIT);
        assertThat(r.value()).isEqualTo(junk);
    }

    @Test
    void nullPayloadAndKeyAreKeptAsNull() {
        ProducerRecord<String, byte[]> r = DeadLetterRecord.of(new DeadLetterRecord.Source("t", 0, 0L, null, null), null, "empty",
                null, LIMIT);
        assertThat(r.key()).isNull();
        assertThat(r.value()).isNull();
        assertThat(text(r, DeadLetterRecord.REASON)).isEqualTo("empty");
    }

    @Test
    void headersOfAnEarlierDeadLetteringAreReplacedNotRepeated() {
        ProducerRecord<String, byte[]> r = DeadLetterRecord.of(new DeadLetterRecord.Source("t", 1, 2L, "k",
                List.of(header(DeadLetterRecord.REASON, "old"))), "{}".getBytes(StandardCharsets.UTF_8), "new", null, LIMIT);
        assertThat(r.headers().headers(DeadLetterRecord.REASON)).hasSize(1);
        assertThat(text(r, DeadLetterRecord.REASON)).isEqualTo("new");
    }

    private static Header header(String k, String v) {
        return new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ProducerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
