package org.memcircuits.service;

import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.memcircuits.InvalidInputException;
import org.memcircuits.contracts.JobIds;
import org.memcircuits.contracts.JobStatus;
import org.memcircuits.contracts.Stage;

/**
 * The one failure path of every consumed channel. Whatever arrives ends as exactly one of:
 * processed, or failed — a FAILED status when a job id could be derived, one bounded dead-letter
 * record with the reason, counted — and in both cases the record is acknowledged, so the offset
 * moves on and the channel serves the next record. Event data over the configured size is refused
 * before it is parsed. A record whose handling is cut short by the service's own shutdown is left
 * unacknowledged instead, so it is delivered again (at-least-once across rolling updates).
 */
@ApplicationScoped
public class EventIntake {
    private static final Logger LOG = Logger.getLogger(EventIntake.class);

    private final StatusPublisher status;
    private final DeadLetters deadLetters;
    private final EventLimits limits;
    private volatile boolean stopping;

    public EventIntake(StatusPublisher status, DeadLetters deadLetters, EventLimits limits) {
        this.status = status;
        this.deadLetters = deadLetters;
        this.limits = limits;
    }

    /** What a listener does with one record's data; it names the job as soon as it knows it. */
    @FunctionalInterface
    public interface Body {
        void handle(String payload, Job job) throws Exception;
    }

    /** The job a record belongs to, once known (for the FAILED status). */
    public static final class Job {
        private String id;
        private String context = "";

        public void id(String jobId) {
            this.id = jobId;
        }

        /** A prefix for the failure message, e.g. "shard 3: ". */
        public void context(String prefix) {
            this.context = prefix;
        }
    }

    public CompletionStage<Void> consume(Message<byte[]> msg, Stage stage, FailureMeters meters, Body body) {
        Job job = new Job();
        byte[] data = msg.getPayload();
        try {
            int bytes = data == null ? 0 : data.length;
            if (bytes > limits.maxRequestBytes()) {
                throw new InvalidInputException("event data is " + bytes + " bytes, more than the limit of "
                        + limits.maxRequestBytes() + " (circuits.events.max-request-bytes); not parsed");
            }
            body.handle(data == null ? null : utf8(data), job);
        } catch (Throwable t) { // NOSONAR: any failure of one record, Errors included (deep JSON), must not stop the channel
            if (stopping) {
                // Interrupted by a shutdown (a rolling update's SIGTERM), not failed: leave the offset
                // uncommitted so that another replica, or this one restarted, runs the job again.
                LOG.warnf("%s job %s interrupted by shutdown (%s); left for redelivery", stage, job.id, describe(t));
                return CompletableFuture.completedFuture(null);
            }
            failed(msg, stage, meters, job, t);
        }
        return msg.ack();
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    private void failed(Message<byte[]> msg, Stage stage, FailureMeters meters, Job job, Throwable t) {
        String reason = Bounded.text(job.context + describe(t), limits.maxReasonChars());
        String jobId = job.id != null && JobIds.valid(job.id) ? job.id : null;
        try {
            if (t instanceof InvalidInputException || t instanceof org.memcircuits.contracts.ContractException) {
                LOG.errorf("%s job %s refused: %s", stage, jobId == null ? "(unknown)" : jobId, reason);
            } else {
                LOG.errorf(t, "%s job %s failed: %s", stage, jobId == null ? "(unknown)" : jobId, reason);
            }
            if (jobId != null) {
                status.publish(JobStatus.of(jobId, stage.id(), JobStatus.State.FAILED, null, null, reason));
            }
            meters.failures().increment();
            var source = msg.getMetadata(IncomingKafkaRecordMetadata.class).map(m -> new DeadLetterRecord.Source(m.getTopic(),
                    m.getPartition(), m.getOffset(), m.getKey() == null ? null : m.getKey().toString(), m.getHeaders()));
            if (source.isEmpty()) {
                LOG.errorf("%s: a failed record without Kafka metadata cannot be dead-lettered: %s", stage, reason);
                return;
            }
            if (deadLetters.write(DeadLetterRecord.of(source.get(), msg.getPayload(), reason, t.getClass().getName(),
                    limits.maxDeadLetterPayloadBytes()))) {
                meters.deadLettered().increment();
            }
        } catch (Throwable e) { // NOSONAR: the failure path itself must never stop the channel
            LOG.errorf(e, "%s: failure path for a record failed too (%s)", stage, reason);
        }
    }

    /** The message a user needs: the exception's own message, or its type when it has none. */
    static String describe(Throwable t) {
        if (t instanceof StackOverflowError) {
            return "event data nested too deeply to parse";
        }
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    /** Event data is JSON, so UTF-8: anything else is refused naming where it stops being text. */
    private static String utf8(byte[] data) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidInputException("event data is not UTF-8 text (" + e + "); JSON expected");
        }
    }
}
