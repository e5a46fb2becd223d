package org.memcircuits.scorer.messaging;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.JobStatus;
import org.memcircuits.contracts.ScoreResult;
import org.memcircuits.contracts.ScoreShardDone;
import org.memcircuits.scorer.service.ScorerMetrics;
import org.memcircuits.scorer.service.ShardMerger;
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
    private final MutinyEmitter<String> results;
    private final StatusPublisher status;
    private final ScorerMetrics metrics;

    public ShardsDoneListener(ShardMerger merger, @Channel("score-results-out") MutinyEmitter<String> results,
            StatusPublisher status, ScorerMetrics metrics) {
        this.merger = merger;
        this.results = results;
        this.status = status;
        this.metrics = metrics;
    }

    @Incoming("score-shards-done")
    @Blocking
    public CompletionStage<Void> onShardDone(Message<String> msg) {
        ScoreShardDone d = null;
        try {
            d = EventCodec.fromJson(msg.getPayload(), ScoreShardDone.class);
            String jobId = d.jobId();
            if (merger.announced(jobId)) {
                return msg.ack();
            }
            int stored = merger.shardsDone(jobId);
            if (stored < d.shardCount()) {
                status.publish(JobStatus.of(jobId, "score", JobStatus.State.RUNNING, (long) stored, (long) d.shardCount(),
                        stored + "/" + d.shardCount() + " shards scored"));
                return msg.ack();
            }
            long t0 = System.nanoTime();
            ScoreResult result = merger.merge(d.request(), d.shardCount());
            EventSender.send(results, jobId, jobId + "/score-result", EventTypes.SCORE_RESULT, jobId, result);
            merger.markAnnounced(jobId);
            metrics.jobDuration.record(java.time.Duration.ofNanos(System.nanoTime() - t0));
            LOG.infof("job %s scored: %s", jobId, result.stats());
            status.publish(JobStatus.of(jobId, "score", JobStatus.State.SUCCEEDED, result.stats().documents(),
                    result.stats().documents(), "scores at " + result.scores().uri()));
            return msg.ack();
        } catch (RuntimeException e) {
            return status.reject(msg, "score", d == null ? null : d.jobId(), e.getMessage(), e, metrics.failures,
                    metrics.deadLettered);
        }
    }
}
