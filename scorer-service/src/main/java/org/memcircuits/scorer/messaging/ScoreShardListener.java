package org.memcircuits.scorer.messaging;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.JobStatus;
import org.memcircuits.contracts.ScoreShard;
import org.memcircuits.contracts.ScoreShardDone;
import org.memcircuits.scorer.config.ScorerConfig;
import org.memcircuits.scorer.service.ScorerMetrics;
import org.memcircuits.scorer.service.ShardScorer;
import org.memcircuits.service.EventSender;
import org.memcircuits.service.StatusPublisher;

/** Scores the shards this replica is given; the shard artifact is stored before it is announced. */
@ApplicationScoped
public class ScoreShardListener {

    private final ShardScorer scorer;
    private final MutinyEmitter<String> done;
    private final StatusPublisher status;
    private final ScorerMetrics metrics;
    private final int progressEvery;

    public ScoreShardListener(ShardScorer scorer, @Channel("score-shards-done-out") MutinyEmitter<String> done,
            StatusPublisher status, ScorerMetrics metrics, ScorerConfig config) {
        this.scorer = scorer;
        this.done = done;
        this.status = status;
        this.metrics = metrics;
        this.progressEvery = config.progressEvery();
    }

    @Incoming("score-shards")
    @Blocking
    public CompletionStage<Void> onShard(Message<String> msg) {
        ScoreShard shard = null;
        try {
            shard = EventCodec.fromJson(msg.getPayload(), ScoreShard.class);
            ScoreShard s = shard;
            String where = "shard " + (s.shardIndex() + 1) + "/" + s.shardCount();
            long[] lastReported = {0};
            long size = s.toDocument() - s.fromDocument();
            ScoreShardDone result = scorer.score(s, docs -> {
                if (docs - lastReported[0] >= progressEvery) {
                    lastReported[0] = docs;
                    status.publish(JobStatus.of(s.jobId(), "score", JobStatus.State.RUNNING, docs, size, where));
                }
            });
            EventSender.send(done, s.jobId(), s.jobId() + "/shard-done/" + s.shardIndex(), EventTypes.SCORE_SHARD_DONE,
                    s.jobId(), result);
            return msg.ack();
        } catch (RuntimeException e) {
            return status.reject(msg, "score", shard == null ? null : shard.jobId(),
                    (shard != null ? "shard " + shard.shardIndex() + ": " : "") + e.getMessage(), e, metrics.failures,
                    metrics.deadLettered);
        }
    }
}
