package org.memcircuits.verifier.messaging;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.Channels;
import org.memcircuits.contracts.VerifyRequest;
import org.memcircuits.contracts.VerifyResult;
import org.memcircuits.service.EventIntake;
import org.memcircuits.service.FailureMeters;
import org.memcircuits.service.StageHandler;
import org.memcircuits.service.StatusPublisher;
import org.memcircuits.verifier.service.VerifierMetrics;
import org.memcircuits.verifier.service.VerifyStage;

/** Verifications from direct requests and from chained discovery results, through the shared stage sequence. */
@ApplicationScoped
public class VerifyListener {
    private final StageHandler<VerifyRequest, VerifyResult> handler;

    public VerifyListener(VerifyStage stage, EventIntake intake, ArtifactStore store, StatusPublisher status,
            @Channel(Channels.VERIFY_RESULTS_OUT) MutinyEmitter<String> results, VerifierMetrics metrics) {
        this.handler = new StageHandler<>(stage, intake, store, status, results,
                new FailureMeters(metrics.failures, metrics.deadLettered), metrics.jobDuration);
    }

    @Incoming(Channels.VERIFY_REQUESTS)
    @Blocking
    public CompletionStage<Void> onRequest(Message<byte[]> msg) {
        return handler.onRequest(msg);
    }

    @Incoming(Channels.DISCOVERY_RESULTS)
    @Blocking
    public CompletionStage<Void> onCircuit(Message<byte[]> msg) {
        return handler.onUpstream(msg);
    }
}
