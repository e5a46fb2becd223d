package org.memcircuits.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads one topic as an outside observer: a consumer with no group, assigned every partition, starting either at the
 * beginning or at the end as of its creation (so a test sees only what happens after that moment). Never creates the
 * topic (a consumer's metadata request would otherwise auto-create it with one partition); partitions that appear later
 * are read from their start. Everything read is kept, in arrival order. Not thread-safe: one test thread.
 */
public final class TopicTail implements AutoCloseable {
    private final String topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<Integer, Long> startOffsets = new HashMap<>();
    private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
    private final boolean fromEnd;
    private boolean endsResolved;

    private TopicTail(String bootstrap, String topic, boolean fromEnd) {
        this.topic = topic;
        this.fromEnd = fromEnd;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(2 * 1024 * 1024));
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "1000");
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        refreshAssignment();
    }

    /** Records written after this call (offsets taken now). */
    public static TopicTail fromEnd(String bootstrap, String topic) {
        return new TopicTail(bootstrap, topic, true);
    }

    /** Every record of the topic. */
    public static TopicTail fromStart(String bootstrap, String topic) {
        return new TopicTail(bootstrap, topic, false);
    }

    public String topic() {
        return topic;
    }

    /** Where reading started, per partition (the end offsets at creation for {@link #fromEnd}). */
    public Map<Integer, Long> startOffsets() {
        return Map.copyOf(startOffsets);
    }

    private void refreshAssignment() {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            infos = List.of();
        }
        if (infos == null || infos.isEmpty()) {
            endsResolved = true; // a topic that does not exist yet: whatever appears later is new
            return;
        }
        List<TopicPartition> parts = new ArrayList<>();
        for (PartitionInfo i : infos) {
            parts.add(new TopicPartition(topic, i.partition()));
        }
        if (parts.size() == consumer.assignment().size()) {
            return;
        }
        List<TopicPartition> added = parts.stream().filter(tp -> !consumer.assignment().contains(tp)).toList();
        consumer.assign(parts);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(added, Duration.ofSeconds(10));
        Map<TopicPartition, Long> end = fromEnd && !endsResolved ? consumer.endOffsets(added, Duration.ofSeconds(10)) : begin;
        for (TopicPartition tp : added) {
            long at = end.get(tp);
            startOffsets.put(tp.partition(), at);
            consumer.seek(tp, at);
        }
        endsResolved = true;
    }

    /** Polls for at most {@code d}, keeping what arrives; returns the records that arrived in this call. */
    public List<ConsumerRecord<String, byte[]>> poll(Duration d) {
        List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
        long end = System.nanoTime() + d.toNanos();
        do {
            refreshAssignment();
            if (consumer.assignment().isEmpty()) {
                sleep(200);
                continue;
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                got.add(r);
            }
        } while (System.nanoTime() < end);
        seen.addAll(got);
        return got;
    }

    /** Reads until no partition is behind its end offset at the time of the call (bounded by {@code max}). */
    public List<ConsumerRecord<String, byte[]>> catchUp(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
        refreshAssignment();
        Map<TopicPartition, Long> ends = consumer.assignment().isEmpty() ? Map.of()
                : consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(10));
        while (System.nanoTime() < deadline) {
            boolean behind = false;
            for (var e : ends.entrySet()) {
                if (consumer.position(e.getKey(), Duration.ofSeconds(10)) < e.getValue()) {
                    behind = true;
                }
            }
            if (!behind) {
                break;
            }
            got.addAll(poll(Duration.ofMillis(200)));
        }
        return got;
    }

    /** Everything read so far (call {@link #catchUp} first for "everything on the topic now"). */
    public List<ConsumerRecord<String, byte[]>> seen() {
        return List.copyOf(seen);
    }

    /**
     * The first record (already read or arriving within {@code timeout}) matching {@code p}.
     *
     * @throws AssertionError if none arrives in time, naming the topic and what was seen
     */
    public ConsumerRecord<String, byte[]> await(Predicate<ConsumerRecord<String, byte[]>> p, Duration timeout, String what) {
        for (ConsumerRecord<String, byte[]> r : seen) {
            if (p.test(r)) {
                return r;
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : poll(Duration.ofMillis(300))) {
                if (p.test(r)) {
                    return r;
                }
            }
        }
        throw new AssertionError("no record on " + topic + " within " + timeout.toSeconds() + " s: " + what + " (" + seen.size()
                + " records seen since the start offsets " + startOffsets + ")");
    }

    public static String text(ConsumerRecord<String, byte[]> r) {
        return r.value() == null ? null : new String(r.value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    public static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
