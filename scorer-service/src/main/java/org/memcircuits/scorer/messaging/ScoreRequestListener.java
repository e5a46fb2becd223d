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
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.ContractException;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.JobStatus;
import org.memcircuits.contracts.ScoreRequest;
import org.memcircuits.contracts.ScoreShard;
import org.memcircuits.corpus.Corpus;
import org.memcircuits.scorer.service.CorpusCache;
import org.memcircuits.scorer.service.ScorerMetrics;
import org.memcircuits.scorer.service.ShardMerger;
import org.memcircuits.scorer.service.ShardPlanner;
import org.memcircuits.service.EventSender;
import org.memcircuits.service.InputChecks;
import org.memcircuits.service.StatusPublisher;

/**
 * Validates a scoring request up front and splits the corpus into shards. An invalid request gets
 * a FAILED status naming the problem and goes to the dead-letter topic with its reason; the
 * listener carries on with the next record.
 */
@ApplicationScoped
public class ScoreRequestListener {
    private static final Logger LOG = Logger.getLogger(ScoreRequestListener.class);

    private final MutinyEmitter<String> shards;
    private final StatusPublisher status;
    private final ArtifactStore store;
    private final CorpusCache corpora;
    private final ShardMerger merger;
    private final ScorerMetrics metrics;
    private final int partitions;

    public ScoreRequestListener(@Channel("score-shards-out") MutinyEmitter<String> shards, StatusPublisher status,
            ArtifactStore store, CorpusCache corpora, ShardMerger merger, ScorerMetrics metrics,
            org.memcircuits.scorer.config.ScorerConfig config) {
        this.partitions = config.shardPartitions();
        this.shards = shards;
        this.status = status;
        this.store = store;
        this.corpora = corpora;
        this.merger = merger;
        this.metrics = metrics;
    }

    @Incoming("score-requests")
    @Blocking
    public CompletionStage<Void> onRequest(Message<String> msg) {
        ScoreRequest request = null;
        try {
            request = EventCodec.fromJson(msg.getPayload(), ScoreRequest.class).normalized();
            List<String> problems = request.problems();
            if (!problems.isEmpty()) {
                throw new InvalidInputException("invalid score request: " + String.join("; ", problems));
            }
            checkInputs(request);
            if (merger.announced(request.jobId())) {
                LOG.infof("job %s already finished; nothing to do", request.jobId());
                status.publish(JobStatus.of(request.jobId(), "score", JobStatus.State.SUCCEEDED, null, null,
                        "already finished"));
                return msg.ack();
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
            status.publish(JobStatus.of(request.jobId(), "score", JobStatus.State.ACCEPTED, 0L, records,
                    plan.size() + " shards"));
            return msg.ack();
        } catch (ContractException | InvalidInputException | org.memcircuits.corpus.CorpusException
                | org.memcircuits.artifacts.ArtifactException e) {
            return reject(msg, request, e);
        } catch (RuntimeException e) {
            return reject(msg, request, e);
        }
    }

    private void checkInputs(ScoreRequest r) {
        InputChecks.artifact(store, r.corpus(), "corpus");
        InputChecks.model(r.model());
    }

    private CompletionStage<Void> reject(Message<String> msg, ScoreRequest r, Exception e) {
        return status.reject(msg, "score", r == null ? null : r.jobId(), e.getMessage(), e, metrics.failures, metrics.deadLettered);
    }
}
