package org.memcircuits.service;

import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.net.URI;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;

/**
 * Sends one event as a CloudEvent (binary mode: the JSON data is the record value, attributes are
 * headers) and waits for the broker's acknowledgement, so a caller never moves on after a side
 * effect whose announcement was lost. Ids are deterministic: a redelivered send is recognisable.
 */
public final class EventSender {
    // above the producers' 120 s delivery timeout: the producer, not this wait, decides a send failed
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(150);
    private static final URI SOURCE = URI.create(EventTypes.SOURCE_PREFIX
            + org.eclipse.microprofile.config.ConfigProvider.getConfig()
                    .getOptionalValue("quarkus.application.name", String.class).orElse("service"));

    private EventSender() {}

    public static void send(MutinyEmitter<String> emitter, String key, String id, String type, String subject, Object data) {
        send(emitter, key, -1, id, type, subject, data);
    }

    /** With {@code partition >= 0} the record goes to that partition instead of the key's hash. */
    public static void send(MutinyEmitter<String> emitter, String key, int partition, String id, String type, String subject,
            Object data) {
        OutgoingCloudEventMetadata<Object> ce = OutgoingCloudEventMetadata.builder()
                .withId(id)
                .withType(type)
                .withSource(SOURCE)
                .withSubject(subject)
                .withDataContentType("application/json")
                .build();
        Message<String> msg = Message.of(EventCodec.toJson(data))
                .addMetadata(ce)
                .addMetadata(partition >= 0
                        ? OutgoingKafkaRecordMetadata.<String>builder().withKey(key).withPartition(partition).build()
                        : OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build());
        emitter.sendMessage(msg).await().atMost(ACK_TIMEOUT);
    }
}
