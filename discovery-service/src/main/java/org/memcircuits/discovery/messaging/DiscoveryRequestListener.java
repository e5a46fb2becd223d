package org.memcircuits.discovery.messaging;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.Channels;
import org.memcircuits.contracts.DiscoveryRequest;
import org.memcircuits.contracts.DiscoveryResult;
import org.memcircuits.discovery.service.DiscoveryMetrics;
import org.memcircuits.discovery.service.DiscoveryStage;
import org.memcircuits.service.EventIntake;
import org.memcircuits.service.FailureMeters;
import org.memcircuits.service.StageHandler;
import org.memcircuits.service.StatusPublisher;

/** One discovery job at a time (one record per poll), from direct requests and chained contrastive results. */
@ApplicationScoped
public class DiscoveryRequestListener {
    private final StageHandler<DiscoveryRequest, DiscoveryResult> handler;

    public DiscoveryRequestListener(DiscoveryStage stage, EventIntake intake, ArtifactStore store, StatusPublisher status,
            @Channel(Channels.DISCOVERY_RESULTS_OUT) MutinyEmitter<String> results, DiscoveryMetrics metrics) {
        this.handler = new StageHandler<>(stage, intake, store, status, results,
                new FailureMeters(metrics.failures, metrics.deadLettered), metrics.jobDuration);
    }

    @Incoming(Channels.DISCOVERY_REQUESTS)
    @Blocking
    public CompletionStage<Void> onRequest(Message<byte[]> msg) {
        return handler.onRequest(msg);
    }

    @Incoming(Channels.CONTRASTIVE_RESULTS)
    @Blocking
    public CompletionStage<Void> onDataset(Message<byte[]> msg) {
        return handler.onUpstream(msg);
    }
}
