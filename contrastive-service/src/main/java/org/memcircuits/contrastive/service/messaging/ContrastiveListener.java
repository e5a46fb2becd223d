package org.memcircuits.contrastive.service.messaging;

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
import org.memcircuits.contracts.ContrastiveRequest;
import org.memcircuits.contracts.ContrastiveResult;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.JobStatus;
import org.memcircuits.contracts.ScoreResult;
import org.memcircuits.contrastive.service.jobs.ContrastiveJobs;
import org.memcircuits.contrastive.service.jobs.ContrastiveMetrics;
import org.memcircuits.service.EventSender;
import org.memcircuits.service.InputChecks;
import org.memcircuits.service.StatusPublisher;

/**
 * Contrastive jobs from direct requests, and from score results whose request named the
 * contrastive stage next (branch decision, default parameters). Validated up front; files stored
 * before the result event; the result announced once.
 */
@ApplicationScoped
public class ContrastiveListener {
    private static final String STAGE = "contrastive";

    private final ContrastiveJobs jobs;
    private final MutinyEmitter<String> results;
    private final StatusPublisher status;
    private final ArtifactStore store;
    private final ContrastiveMetrics metrics;

    public ContrastiveListener(ContrastiveJobs jobs, @Channel("contrastive-results-out") MutinyEmitter<String> results,
            StatusPublisher status, ArtifactStore store, ContrastiveMetrics metrics) {
        this.jobs = jobs;
        this.results = results;
        this.status = status;
        this.store = store;
        this.metrics = metrics;
    }

    @Incoming("contrastive-requests")
    @Blocking
    public CompletionStage<Void> onRequest(Message<String> msg) {
        ContrastiveRequest r = null;
        try {
            r = EventCodec.fromJson(msg.getPayload(), ContrastiveRequest.class).normalized();
            handle(r);
            return msg.ack();
        } catch (RuntimeException e) {
            return fail(msg, r == null ? null : r.jobId(), e);
        }
    }

    @Incoming("score-results")
    @Blocking
    public CompletionStage<Void> onScores(Message<String> msg) {
        String jobId = null;
        try {
            ScoreResult s = EventCodec.fromJson(msg.getPayload(), ScoreResult.class);
            List<String> next = s.request() == null || s.request().next() == null ? List.of() : s.request().next();
            if (!next.contains(STAGE)) {
                return msg.ack();
            }
            ContrastiveRequest r = new ContrastiveRequest(1, null, s.request().model(), s.scores(), null, "divergence", null, null,
                    null, null, null, next.subList(next.indexOf(STAGE) + 1, next.size())).normalized();
            jobId = r.jobId();
            handle(r);
            return msg.ack();
        } catch (RuntimeException e) {
            return fail(msg, jobId, e);
        }
    }

    private void handle(ContrastiveRequest r) {
        List<String> problems = r.problems();
        if (!problems.isEmpty()) {
            throw new InvalidInputException("invalid contrastive request: " + String.join("; ", problems));
        }
        String jobId = r.jobId();
        if (store.exists(ArtifactKeys.contrastiveAnnounced(jobId))) {
            status.publish(JobStatus.of(jobId, STAGE, JobStatus.State.SUCCEEDED, null, null, "already finished"));
            return;
        }
        InputChecks.artifact(store, r.scores(), "scores");
        if (r.divergence() != null) {
            InputChecks.artifact(store, r.divergence(), "divergence");
        }
        InputChecks.model(r.model());
        status.publish(JobStatus.of(jobId, STAGE, JobStatus.State.ACCEPTED, null, null, r.mode()));
        long t0 = System.nanoTime();
        long[] last = {0};
        ContrastiveResult result = jobs.run(r, (done, total) -> {
            if (done == total) {
                metrics.samples.increment(total);
            }
            if (done - last[0] >= 16 || done == total) {
                last[0] = done;
                status.publish(JobStatus.of(jobId, STAGE, JobStatus.State.RUNNING, (long) done, (long) total, "samples"));
            }
        });
        EventSender.send(results, jobId, jobId + "/contrastive-result", EventTypes.CONTRASTIVE_RESULT, jobId, result);
        store.put(ArtifactKeys.contrastiveAnnounced(jobId), jobId.getBytes(StandardCharsets.UTF_8), "text/plain");
        metrics.jobDuration.record(Duration.ofNanos(System.nanoTime() - t0));
        status.publish(JobStatus.of(jobId, STAGE, JobStatus.State.SUCCEEDED, null, null,
                result.pairs() + " pairs at " + result.dataset().uri()));
    }

    private CompletionStage<Void> fail(Message<String> msg, String jobId, RuntimeException e) {
        return status.reject(msg, STAGE, jobId, e.getMessage(), e, metrics.failures, metrics.deadLettered);
    }
}
