package org.memcircuits.discovery.messaging;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.memcircuits.InvalidInputException;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.ArtifactKeys;
import org.memcircuits.contracts.ContrastiveResult;
import org.memcircuits.contracts.DiscoveryRequest;
import org.memcircuits.contracts.DiscoveryResult;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.JobStatus;
import org.memcircuits.discovery.service.DiscoveryJobs;
import org.memcircuits.discovery.service.DiscoveryMetrics;
import org.memcircuits.service.EventSender;
import org.memcircuits.service.InputChecks;
import org.memcircuits.service.StatusPublisher;

/**
 * One discovery job at a time: validated up front (FAILED status and the dead-letter topic for a
 * bad request), progress per IG step and batch, files stored before the result event, and the
 * result announced once (a marker after the broker's ack turns redeliveries into no-ops).
 */
@ApplicationScoped
public class DiscoveryRequestListener {
    private static final String STAGE = "discover";

    private final DiscoveryJobs jobs;
    private final MutinyEmitter<String> results;
    private final StatusPublisher status;
    private final ArtifactStore store;
    private final DiscoveryMetrics metrics;

    public DiscoveryRequestListener(DiscoveryJobs jobs, @Channel("discovery-results-out") MutinyEmitter<String> results,
            StatusPublisher status, ArtifactStore store, DiscoveryMetrics metrics) {
        this.jobs = jobs;
        this.results = results;
        this.status = status;
        this.store = store;
        this.metrics = metrics;
    }

    /** A contrastive dataset whose request lists {@code discover} next: discover with default parameters. */
    @Incoming("contrastive-results")
    @Blocking
    public CompletionStage<Void> onDataset(Message<String> msg) {
        try {
            ContrastiveResult c = EventCodec.fromJson(msg.getPayload(), ContrastiveResult.class);
            List<String> next = c.request() == null || c.request().next() == null ? List.of() : c.request().next();
            if (!next.contains(STAGE)) {
                return msg.ack();
            }
            DiscoveryRequest r = new DiscoveryRequest(1, null, c.request().model(), c.dataset(), null,
                    next.subList(next.indexOf(STAGE) + 1, next.size())).normalized();
            return run(msg, r);
        } catch (RuntimeException e) {
            return fail(msg, null, e);
        }
    }

    @Incoming("discovery-requests")
    @Blocking
    public CompletionStage<Void> onRequest(Message<String> msg) {
        DiscoveryRequest r;
        try {
            r = EventCodec.fromJson(msg.getPayload(), DiscoveryRequest.class).normalized();
        } catch (RuntimeException e) {
            return fail(msg, null, e);
        }
        return run(msg, r);
    }

    private CompletionStage<Void> run(Message<String> msg, DiscoveryRequest r) {
        try {
            List<String> problems = r.problems();
            if (!problems.isEmpty()) {
                throw new InvalidInputException("invalid discovery request: " + String.join("; ", problems));
            }
            if (store.exists(ArtifactKeys.discoveryAnnounced(r.jobId()))) {
                status.publish(JobStatus.of(r.jobId(), STAGE, JobStatus.State.SUCCEEDED, null, null, "already finished"));
                return msg.ack();
            }
            InputChecks.artifact(store, r.dataset(), "dataset");
            InputChecks.model(r.model());
            String jobId = r.jobId();
            status.publish(JobStatus.of(jobId, STAGE, JobStatus.State.ACCEPTED, null, null, "attribution starting"));
            long t0 = System.nanoTime();
            DiscoveryResult result = jobs.run(r, (b, bs, s, ss) -> status.publish(JobStatus.of(jobId, STAGE,
                    JobStatus.State.RUNNING, (long) b * ss + s + 1, (long) bs * ss, "IG step " + (s + 1) + "/" + ss + ", batch "
                            + (b + 1) + "/" + bs)));
            EventSender.send(results, jobId, jobId + "/discovery-result", EventTypes.DISCOVERY_RESULT, jobId, result);
            store.put(ArtifactKeys.discoveryAnnounced(jobId), jobId.getBytes(StandardCharsets.UTF_8), "text/plain");
            metrics.jobDuration.record(Duration.ofNanos(System.nanoTime() - t0));
            status.publish(JobStatus.of(jobId, STAGE, JobStatus.State.SUCCEEDED, null, null,
                    "circuit of " + result.minimalEdges() + " edges (faithfulness " + result.faithfulness() + ") at "
                            + result.graph().uri()));
            return msg.ack();
        } catch (RuntimeException e) {
            return fail(msg, r.jobId(), e);
        }
    }

    private CompletionStage<Void> fail(Message<String> msg, String jobId, RuntimeException e) {
        return status.reject(msg, STAGE, jobId, e.getMessage(), e, metrics.failures, metrics.deadLettered);
    }
}
