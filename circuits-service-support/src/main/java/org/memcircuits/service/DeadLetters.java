package org.memcircuits.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Writes dead-letter records with a producer of its own rather than through a channel's failure
 * strategy: a send that fails here is logged and counted, and never marks a messaging channel as
 * failed (SmallRye's own strategy stopped the channel when its dead-letter send failed).
 */
@ApplicationScoped
public class DeadLetters {
    private static final Logger LOG = Logger.getLogger(DeadLetters.class);
    // Longer than the producer's delivery timeout, so the producer itself reports a lost send.
    private static final long SEND_TIMEOUT_MS = 130_000;

    private final KafkaProducer<String, byte[]> producer;
    private final Counter sendFailures;

    public DeadLetters(@Identifier("default-kafka-broker") Map<String, Object> kafka, MeterRegistry registry) {
        Map<String, Object> config = new HashMap<>();
        kafka.forEach((k, v) -> {
            // only client settings (bootstrap, security, ...); the map also holds Quarkus' own keys
            if (ProducerConfig.configNames().contains(k) || k.startsWith("sasl.") || k.startsWith("ssl.")
                    || k.startsWith("security.")) {
                config.put(k, v);
            }
        });
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "dead-letters-" + ProcessHandle.current().pid());
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        this.sendFailures = Counter.builder("circuits.dead.letter.send.failures")
                .description("Dead-letter records that could not be written (the record was logged and skipped)")
                .register(registry);
    }

    /** Sends the record and waits for the broker; true if it was written. Never throws. */
    public boolean write(ProducerRecord<String, byte[]> record) {
        try {
            producer.send(record).get(SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(record, e);
        } catch (Exception e) {
            return failed(record, e);
        }
    }

    private boolean failed(ProducerRecord<String, byte[]> record, Exception e) {
        sendFailures.increment();
        LOG.errorf("dead-letter record (key %s) not written to %s: %s; the original record is skipped",
                Bounded.text(record.key(), 200), record.topic(), e.toString());
        return false;
    }

    @PreDestroy
    void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
