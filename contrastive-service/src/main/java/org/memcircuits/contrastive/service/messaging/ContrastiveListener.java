package org.memcircuits.contrastive.service.messaging;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.Channels;
import org.memcircuits.contracts.ContrastiveRequest;
import org.memcircuits.contracts.ContrastiveResult;
import org.memcircuits.contrastive.service.jobs.ContrastiveMetrics;
import org.memcircuits.contrastive.service.jobs.ContrastiveStage;
import org.memcircuits.service.EventIntake;
import org.memcircuits.service.FailureMeters;
import org.memcircuits.service.StageHandler;
import org.memcircuits.service.StatusPublisher;

/** Contrastive jobs from direct requests and from chained score results, through the shared stage sequence. */
@ApplicationScoped
public class ContrastiveListener {
    private final StageHandler<ContrastiveRequest, ContrastiveResult> handler;

    public ContrastiveListener(ContrastiveStage stage, EventIntake intake, ArtifactStore store, StatusPublisher status,
            @Channel(Channels.CONTRASTIVE_RESULTS_OUT) MutinyEmitter<String> results, ContrastiveMetrics metrics) {
        this.handler = new StageHandler<>(stage, intake, store, status, results,
                new FailureMeters(metrics.failures, metrics.deadLettered), metrics.jobDuration);
    }

    @Incoming(Channels.CONTRASTIVE_REQUESTS)
    @Blocking
    public CompletionStage<Void> onRequest(Message<byte[]> msg) {
        return handler.onRequest(msg);
    }

    @Incoming(Channels.SCORE_RESULTS)
    @Blocking
    public CompletionStage<Void> onScores(Message<byte[]> msg) {
        return handler.onUpstream(msg);
    }
}
