package org.memcircuits.service;

import io.micrometer.core.instrument.Timer;
import io.smallrye.reactive.messaging.MutinyEmitter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.memcircuits.InvalidInputException;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.ArtifactKeys;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.JobStatus.State;
import org.memcircuits.contracts.Stage;
import org.memcircuits.contracts.StageRequest;

/**
 * The sequence every stage service runs for a job, written once: decode, already announced?,
 * input checks, run, send the result, mark it announced. Each failure goes through
 * {@link EventIntake}'s one failure path.
 *
 * <p>The result event is sent (and acknowledged) before the marker is written: a crash between
 * the two announces the result again on redelivery, with the same deterministic event id, and
 * never loses it. Artifacts are written and verified by the job before the event references them.
 */
public final class StageHandler<R extends StageRequest, O> {
    private final StageJob<R, O> job;
    private final EventIntake intake;
    private final ArtifactStore store;
    private final StatusPublisher status;
    private final MutinyEmitter<String> results;
    private final FailureMeters meters;
    private final Timer duration;

    public StageHandler(StageJob<R, O> job, EventIntake intake, ArtifactStore store, StatusPublisher status,
            MutinyEmitter<String> results, FailureMeters meters, Timer duration) {
        this.job = job;
        this.intake = intake;
        this.store = store;
        this.status = status;
        this.results = results;
        this.meters = meters;
        this.duration = duration;
    }

    /** A request sent to this stage directly. */
    public CompletionStage<Void> onRequest(Message<byte[]> msg) {
        return intake.consume(msg, job.stage(), meters, (payload, owner) -> {
            R r = job.normalized(EventCodec.fromJson(payload, job.requestType()));
            owner.id(r.jobId());
            run(r);
        });
    }

    /** An upstream stage's result: this stage runs when that result's request names it next. */
    public CompletionStage<Void> onUpstream(Message<byte[]> msg) {
        return intake.consume(msg, job.stage(), meters, (payload, owner) -> {
            R r = job.fromUpstream(payload);
            if (r != null) {
                owner.id(r.jobId());
                run(r);
            }
        });
    }

    private void run(R r) {
        Stage stage = job.stage();
        List<String> problems = r.problems();
        if (!problems.isEmpty()) {
            throw new InvalidInputException("invalid " + stage + " request: " + String.join("; ", problems));
        }
        String jobId = r.jobId();
        if (store.exists(ArtifactKeys.announced(stage, jobId))) {
            status.publish(jobId, stage, State.SUCCEEDED, null, null, "already finished");
            return;
        }
        job.checkInputs(r);
        status.publish(jobId, stage, State.ACCEPTED, null, null, job.accepted(r));
        long t0 = System.nanoTime();
        O result = job.run(r, (done, total, message) -> status.publish(jobId, stage, State.RUNNING, done, total, message));
        EventSender.send(results, jobId, stage.resultEventId(jobId), stage.resultType(), jobId, result);
        store.put(ArtifactKeys.announced(stage, jobId), jobId.getBytes(StandardCharsets.UTF_8), "text/plain");
        duration.record(Duration.ofNanos(System.nanoTime() - t0));
        status.publish(jobId, stage, State.SUCCEEDED, null, null, job.summary(result));
    }
}
