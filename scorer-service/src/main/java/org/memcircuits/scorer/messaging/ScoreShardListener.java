package org.memcircuits.scorer.messaging;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.memcircuits.contracts.Channels;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.JobStatus.State;
import org.memcircuits.contracts.ScoreShard;
import org.memcircuits.contracts.ScoreShardDone;
import org.memcircuits.contracts.Stage;
import org.memcircuits.scorer.config.ScorerConfig;
import org.memcircuits.scorer.service.ScorerMetrics;
import org.memcircuits.scorer.service.ShardChecks;
import org.memcircuits.scorer.service.ShardScorer;
import org.memcircuits.service.EventIntake;
import org.memcircuits.service.EventSender;
import org.memcircuits.service.StatusPublisher;

/** Scores the shards this replica is given; the shard artifact is stored before it is announced. */
@ApplicationScoped
public class ScoreShardListener {

    private final ShardScorer scorer;
    private final ShardChecks checks;
    private final MutinyEmitter<String> done;
    private final StatusPublisher status;
    private final EventIntake intake;
    private final ScorerMetrics metrics;
    private final int progressEvery;

    public ScoreShardListener(ShardScorer scorer, ShardChecks checks,
            @Channel(Channels.SCORE_SHARDS_DONE_OUT) MutinyEmitter<String> done, StatusPublisher status, EventIntake intake,
            ScorerMetrics metrics, ScorerConfig config) {
        this.scorer = scorer;
        this.checks = checks;
        this.done = done;
        this.status = status;
        this.intake = intake;
        this.metrics = metrics;
        this.progressEvery = config.progressEvery();
    }

    @Incoming(Channels.SCORE_SHARDS)
    @Blocking
    public CompletionStage<Void> onShard(Message<byte[]> msg) {
        return intake.consume(msg, Stage.SCORE, metrics.failureMeters(), (payload, job) -> {
            ScoreShard s = EventCodec.fromJson(payload, ScoreShard.class);
            job.id(s.jobId());
            job.context("shard " + s.shardIndex() + ": ");
            checks.shard(s);
            String where = "shard " + (s.shardIndex() + 1) + "/" + s.shardCount();
            long[] lastReported = {0};
            long size = s.toDocument() - s.fromDocument();
            ScoreShardDone result = scorer.score(s, docs -> {
                if (docs - lastReported[0] >= progressEvery) {
                    lastReported[0] = docs;
                    status.publish(s.jobId(), Stage.SCORE, State.RUNNING, docs, size, where);
                }
            });
            EventSender.send(done, s.jobId(), s.jobId() + "/shard-done/" + s.shardIndex(), EventTypes.SCORE_SHARD_DONE,
                    s.jobId(), result);
        });
    }
}
