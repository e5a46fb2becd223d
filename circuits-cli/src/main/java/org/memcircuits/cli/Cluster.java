package org.memcircuits.cli;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;

/**
 * The running system as the command line sees it: the broker from {@code KAFKA_BOOTSTRAP_SERVERS}
 * (default: the local stack's 127.0.0.1:19092) and the store from {@code S3_*}.
 */
final class Cluster {
    private Cluster() {}

    static String bootstrap() {
        String env = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        return env == null || env.isBlank() ? "127.0.0.1:19092" : env;
    }

    /** Produces one CloudEvent (binary mode, as the services read them) and waits for the ack. */
    static void send(String topic, String key, String id, String type, Object data) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            ProducerRecord<String, String> r = new ProducerRecord<>(topic, key, EventCodec.toJson(data));
            for (Map.Entry<String, String> h : Map.of(
                    "ce_specversion", "1.0",
                    "ce_id", id,
                    "ce_type", type,
                    "ce_source", EventTypes.SOURCE_PREFIX + "cli",
                    "content-type", "application/json").entrySet()) {
                r.headers().add(new RecordHeader(h.getKey(), h.getValue().getBytes(StandardCharsets.UTF_8)));
            }
            producer.send(r).get(60, TimeUnit.SECONDS);
        }
    }

    static KafkaConsumer<String, String> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "circuits-cli-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }
}
