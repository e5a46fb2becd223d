package org.memcircuits.scorer.messaging;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.memcircuits.contracts.Channels;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.JobStatus.State;
import org.memcircuits.contracts.ScoreResult;
import org.memcircuits.contracts.ScoreShardDone;
import org.memcircuits.contracts.Stage;
import org.memcircuits.scorer.service.ScorerMetrics;
import org.memcircuits.scorer.service.ShardChecks;
import org.memcircuits.scorer.service.ShardMerger;
import org.memcircuits.service.EventIntake;
import org.memcircuits.service.EventSender;
import org.memcircuits.service.StatusPublisher;

/**
 * Merges a job exactly once: shard-done events are keyed by job id, so one consumer of the group
 * sees all of a job's shards; the merge runs when the last shard is stored, and the result event
 * is sent once (a marker written after the broker's ack turns redeliveries into no-ops).
 */
@ApplicationScoped
public class ShardsDoneListener {
    private static final Logger LOG = Logger.getLogger(ShardsDoneListener.class);

    private final ShardMerger merger;
    private final ShardChecks checks;
    private final MutinyEmitter<String> results;
    private final StatusPublisher status;
    private final EventIntake intake;
    private final ScorerMetrics metrics;

    public ShardsDoneListener(ShardMerger merger, ShardChecks checks,
            @Channel(Channels.SCORE_RESULTS_OUT) MutinyEmitter<String> results, StatusPublisher status, EventIntake intake,
            ScorerMetrics metrics) {
        this.merger = merger;
        this.checks = checks;
        this.results = results;
        this.status = status;
        this.intake = intake;
        this.metrics = metrics;
    }

    @Incoming(Channels.SCORE_SHARDS_DONE)
    @Blocking
    public CompletionStage<Void> onShardDone(Message<byte[]> msg) {
        return intake.consume(msg, Stage.SCORE, metrics.failureMeters(), (payload, job) -> {
            ScoreShardDone d = EventCodec.fromJson(payload, ScoreShardDone.class);
            job.id(d.jobId());
            checks.shardDone(d);
            String jobId = d.jobId();
            if (merger.announced(jobId)) {
                return;
            }
            int stored = merger.shardsDone(jobId);
            if (stored < d.shardCount()) {
                status.publish(jobId, Stage.SCORE, State.RUNNING, (long) stored, (long) d.shardCount(),
                        stored + "/" + d.shardCount() + " shards scored");
                return;
            }
            long t0 = System.nanoTime();
            ScoreResult result = merger.merge(d.request(), d.shardCount());
            EventSender.send(results, jobId, Stage.SCORE.resultEventId(jobId), Stage.SCORE.resultType(), jobId, result);
            merger.markAnnounced(jobId);
            metrics.jobDuration.record(java.time.Duration.ofNanos(System.nanoTime() - t0));
            LOG.infof("job %s scored: %s", jobId, result.stats());
            status.publish(jobId, Stage.SCORE, State.SUCCEEDED, result.stats().documents(), result.stats().documents(),
                    "scores at " + result.scores().uri());
        });
    }
}
