package org.memcircuits.testing;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What a consumer group has committed: the proof that a service has finished with records (processed, or dead-lettered
 * and acknowledged), as opposed to "nothing arrived yet".
 */
public final class ConsumerGroups implements AutoCloseable {
    private final Admin admin;

    public ConsumerGroups(String bootstrap) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000", AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000"));
    }

    /** End offsets of every partition of {@code topic} now (empty if the topic does not exist). */
    public Map<Integer, Long> endOffsets(String topic) {
        try {
            Map<String, TopicDescription> d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> req = new HashMap<>();
            d.get(topic).partitions().forEach(p -> req.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<Integer, Long> out = new HashMap<>();
            admin.listOffsets(req).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp.partition(), info.offset()));
            return out;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                return Map.of();
            }
            throw new IllegalStateException("end offsets of " + topic + ": " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException("end offsets of " + topic + ": " + e, e);
        }
    }

    /** Committed offsets of {@code group} on {@code topic}, per partition (absent: nothing committed). */
    public Map<Integer, Long> committed(String group, String topic) {
        try {
            Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            Map<Integer, Long> out = new HashMap<>();
            m.forEach((tp, o) -> {
                if (tp.topic().equals(topic) && o != null) {
                    out.put(tp.partition(), o.offset());
                }
            });
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("committed offsets of group " + group + ": " + e, e);
        }
    }

    /**
     * Waits until {@code group} has committed at least {@code offsets} (partition to offset: everything before it is done)
     * on {@code topic}. Partitions at offset 0 need no commit.
     */
    public void awaitCommitted(String group, String topic, Map<Integer, Long> offsets, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Integer, Long> got = Map.of();
        while (true) {
            got = committed(group, topic);
            boolean done = true;
            for (var e : offsets.entrySet()) {
                if (e.getValue() > 0 && got.getOrDefault(e.getKey(), 0L) < e.getValue()) {
                    done = false;
                }
            }
            if (done) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("group " + group + " did not commit " + offsets + " on " + topic + " within "
                        + timeout.toSeconds() + " s; committed: " + got);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** {@link #awaitCommitted} up to the topic's end offsets as of this call. */
    public void awaitCaughtUp(String group, String topic, Duration timeout) {
        awaitCommitted(group, topic, endOffsets(topic), timeout);
    }

    /** Topics that exist now. */
    public Set<String> topics() {
        try {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public Admin admin() {
        return admin;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
