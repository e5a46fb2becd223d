package org.memcircuits.verifier.messaging;

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
import org.memcircuits.contracts.DiscoveryResult;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.JobStatus;
import org.memcircuits.contracts.VerifyRequest;
import org.memcircuits.contracts.VerifyResult;
import org.memcircuits.service.EventSender;
import org.memcircuits.service.InputChecks;
import org.memcircuits.service.StatusPublisher;
import org.memcircuits.verifier.service.VerifierMetrics;
import org.memcircuits.verifier.service.VerifyJobs;

/**
 * Verifications from direct requests, and from discovery results whose request lists {@code
 * verify} next (on the dataset the circuit was found on, at its minimal edge count, denoising as
 * discovery measured it). Validated up front; files stored before the result event; announced once.
 */
@ApplicationScoped
public class VerifyListener {
    private static final String STAGE = "verify";

    private final VerifyJobs jobs;
    private final MutinyEmitter<String> results;
    private final StatusPublisher status;
    private final ArtifactStore store;
    private final VerifierMetrics metrics;

    public VerifyListener(VerifyJobs jobs, @Channel("verify-results-out") MutinyEmitter<String> results, StatusPublisher status,
            ArtifactStore store, VerifierMetrics metrics) {
        this.jobs = jobs;
        this.results = results;
        this.status = status;
        this.store = store;
        this.metrics = metrics;
    }

    @Incoming("verify-requests")
    @Blocking
    public CompletionStage<Void> onRequest(Message<String> msg) {
        VerifyRequest r = null;
        try {
            r = EventCodec.fromJson(msg.getPayload(), VerifyRequest.class).normalized();
            handle(r);
            return msg.ack();
        } catch (RuntimeException e) {
            return fail(msg, r == null ? null : r.jobId(), e);
        }
    }

    @Incoming("discovery-results")
    @Blocking
    public CompletionStage<Void> onCircuit(Message<String> msg) {
        String jobId = null;
        try {
            DiscoveryResult d = EventCodec.fromJson(msg.getPayload(), DiscoveryResult.class);
            List<String> next = d.request() == null || d.request().next() == null ? List.of() : d.request().next();
            if (!next.contains(STAGE) || d.minimalEdges() == null) {
                return msg.ack();
            }
            var p = d.request().params();
            VerifyRequest r = new VerifyRequest(1, null, d.request().model(), d.request().dataset(), d.pruneScores(),
                    List.of(d.minimalEdges()), p.ablation(), p.patch(), p.direction(), p.metric(), null, null, null, null,
                    d.request().dataset(), p.trainFraction(), p.batchSize()).normalized();
            jobId = r.jobId();
            handle(r);
            return msg.ack();
        } catch (RuntimeException e) {
            return fail(msg, jobId, e);
        }
    }

    private void handle(VerifyRequest r) {
        List<String> problems = r.problems();
        if (!problems.isEmpty()) {
            throw new InvalidInputException("invalid verification request: " + String.join("; ", problems));
        }
        String jobId = r.jobId();
        if (store.exists(ArtifactKeys.verifyAnnounced(jobId))) {
            status.publish(JobStatus.of(jobId, STAGE, JobStatus.State.SUCCEEDED, null, null, "already finished"));
            return;
        }
        InputChecks.artifact(store, r.dataset(), "dataset");
        InputChecks.artifact(store, r.scores(), "scores");
        if (r.trainDataset() != null) {
            InputChecks.artifact(store, r.trainDataset(), "trainDataset");
        }
        InputChecks.model(r.model());
        status.publish(JobStatus.of(jobId, STAGE, JobStatus.State.RUNNING, 0L, (long) r.edges().size(),
                "evaluating " + r.edges().size() + " edge counts with " + r.randomTrials() + " random circuits each"));
        long t0 = System.nanoTime();
        VerifyResult result = jobs.run(r);
        EventSender.send(results, jobId, jobId + "/verify-result", EventTypes.VERIFY_RESULT, jobId, result);
        store.put(ArtifactKeys.verifyAnnounced(jobId), jobId.getBytes(StandardCharsets.UTF_8), "text/plain");
        metrics.jobDuration.record(Duration.ofNanos(System.nanoTime() - t0));
        status.publish(JobStatus.of(jobId, STAGE, JobStatus.State.SUCCEEDED, (long) r.edges().size(), (long) r.edges().size(),
                "report at " + result.report().uri()));
    }

    private CompletionStage<Void> fail(Message<String> msg, String jobId, RuntimeException e) {
        return status.reject(msg, STAGE, jobId, e.getMessage(), e, metrics.failures, metrics.deadLettered);
    }
}
