package org.memcircuits.service;

import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;
import org.memcircuits.contracts.Channels;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.JobStatus;
import org.memcircuits.contracts.Stage;

/** Progress and outcome on the status topic, keyed by job id (so a job's events stay ordered). */
@ApplicationScoped
public class StatusPublisher {
    private static final Logger LOG = Logger.getLogger(StatusPublisher.class);
    private final MutinyEmitter<String> status;
    private final EventLimits limits;

    public StatusPublisher(@Channel(Channels.STATUS_OUT) MutinyEmitter<String> status, EventLimits limits) {
        this.status = status;
        this.limits = limits;
    }

    public void publish(String jobId, Stage stage, JobStatus.State state, Long done, Long total, String message) {
        publish(JobStatus.of(jobId, stage.id(), state, done, total, message));
    }

    /** Sends the status with its message cut to the configured bound; a lost status is logged, never thrown. */
    public void publish(JobStatus s) {
        JobStatus bounded = new JobStatus(s.schemaVersion(), s.jobId(), s.stage(), s.state(), s.done(), s.total(),
                Bounded.text(s.message(), limits.maxReasonChars()), s.time());
        try {
            EventSender.send(status, s.jobId(), UUID.randomUUID().toString(), EventTypes.STATUS, s.jobId(), bounded);
        } catch (RuntimeException e) {
            // Status is advisory; losing one progress event must not fail the stage's real work.
            LOG.warnf(e, "status event for job %s not delivered", s.jobId());
        }
    }
}
