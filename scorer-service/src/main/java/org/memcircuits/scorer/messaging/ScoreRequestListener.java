package org.memcircuits.scorer.messaging;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.memcircuits.InvalidInputException;
import org.memcircuits.contracts.Channels;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.JobStatus.State;
import org.memcircuits.contracts.ScoreRequest;
import org.memcircuits.contracts.ScoreShard;
import org.memcircuits.contracts.Stage;
import org.memcircuits.corpus.Corpus;
import org.memcircuits.scorer.config.ScorerConfig;
import org.memcircuits.scorer.service.CorpusCache;
import org.memcircuits.scorer.service.ScorerMetrics;
import org.memcircuits.scorer.service.ShardMerger;
import org.memcircuits.scorer.service.ShardPlanner;
import org.memcircuits.service.EventIntake;
import org.memcircuits.service.EventSender;
import org.memcircuits.service.InputChecks;
import org.memcircuits.service.StatusPublisher;

/**
 * Validates a scoring request up front and splits the corpus into shards; failures take the
 * shared failure path ({@link EventIntake}).
 */
@ApplicationScoped
public class ScoreRequestListener {
    private static final Logger LOG = Logger.getLogger(ScoreRequestListener.class);

    private final MutinyEmitter<String> shards;
    private final StatusPublisher status;
    private final EventIntake intake;
    private final InputChecks checks;
    private final CorpusCache corpora;
    private final ShardMerger merger;
    private final ScorerMetrics metrics;
    private final int partitions;

    public ScoreRequestListener(@Channel(Channels.SCORE_SHARDS_OUT) MutinyEmitter<String> shards, StatusPublisher status,
            EventIntake intake, InputChecks checks, CorpusCache corpora, ShardMerger merger, ScorerMetrics metrics,
            ScorerConfig config) {
        this.partitions = config.shardPartitions();
        this.shards = shards;
        this.status = status;
        this.intake = intake;
        this.checks = checks;
        this.corpora = corpora;
        this.merger = merger;
        this.metrics = metrics;
    }

    @Incoming(Channels.SCORE_REQUESTS)
    @Blocking
    public CompletionStage<Void> onRequest(Message<byte[]> msg) {
        return intake.consume(msg, Stage.SCORE, metrics.failureMeters(), (payload, job) -> {
            ScoreRequest request = EventCodec.fromJson(payload, ScoreRequest.class).normalized();
            job.id(request.jobId());
            List<String> problems = request.problems();
            if (!problems.isEmpty()) {
                throw new InvalidInputException("invalid score request: " + String.join("; ", problems));
            }
            checks.artifact(request.corpus(), "corpus");
            checks.model(request.model());
            if (merger.announced(request.jobId())) {
                LOG.infof("job %s already finished; nothing to do", request.jobId());
                status.publish(request.jobId(), Stage.SCORE, State.SUCCEEDED, null, null, "already finished");
                return;
            }
            Path corpus = corpora.local(request.corpus());
            long records = Corpus.count(corpus, request.textField());
            List<ScoreShard> plan = ShardPlanner.plan(request, records);
            for (ScoreShard s : plan) {
                // Round-robin over partitions: consecutive shards land on different replicas.
                EventSender.send(shards, s.jobId() + "/" + s.shardIndex(), s.shardIndex() % partitions,
                        s.jobId() + "/shard/" + s.shardIndex(), EventTypes.SCORE_SHARD, s.jobId(), s);
            }
            LOG.infof("job %s: %d records in %d shards", request.jobId(), records, plan.size());
            status.publish(request.jobId(), Stage.SCORE, State.ACCEPTED, 0L, records, plan.size() + " shards");
        });
    }
}
