package org.memcircuits.service;

import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
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

    public void publish(JobStatus s) {
        try {
            EventSender.send(status, s.jobId(), UUID.randomUUID().toString(), EventTypes.STATUS, s.jobId(), s);
        } catch (RuntimeException e) {
            // Status is advisory; losing one progress event must not fail the stage's real work.
            LOG.warnf(e, "status event for job %s not delivered", s.jobId());
        }
    }
}
