package org.memcircuits.service;

import io.smallrye.reactive.messaging.MutinyEmitter;
import io.micrometer.core.instrument.Counter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Message;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.JobStatus;

/** Progress and outcome on the status topic, keyed by job id (so a job's events stay ordered). */
@ApplicationScoped
public class StatusPublisher {
    private static final Logger LOG = Logger.getLogger(StatusPublisher.class);
    private final MutinyEmitter<String> status;

    public StatusPublisher(@Channel("status-out") MutinyEmitter<String> status) {
        this.status = status;
    }

    /**
     * A record that failed: logged, a FAILED status naming the problem, the stage's counters
     * incremented, and a nack, which the channel's failure strategy turns into a dead-letter record
     * carrying the reason. The listener then goes on with the next record.
     */
    public CompletionStage<Void> reject(Message<String> msg, String stage, String jobId, String message, Throwable e,
            Counter... counters) {
        String id = jobId == null ? "unknown" : jobId;
        LOG.errorf(e, "%s job %s failed", stage, id);
        publish(JobStatus.of(id, stage, JobStatus.State.FAILED, null, null, message));
        for (Counter c : counters) {
            c.increment();
        }
        return msg.nack(e);
    }

    public void publish(JobStatus s) {
        try {
            EventSender.send(status, s.jobId(), UUID.randomUUID().toString(), EventTypes.STATUS, s.jobId(), s);
        } catch (RuntimeException e) {
            // Status is advisory; losing one progress event must not fail the stage's real work.
            LOG.warnf(e, "status event for job %s not delivered", s.jobId());
        }
    }
}
