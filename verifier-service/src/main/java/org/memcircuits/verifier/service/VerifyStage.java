package org.memcircuits.verifier.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.memcircuits.contracts.DiscoveryResult;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.Stage;
import org.memcircuits.contracts.VerifyRequest;
import org.memcircuits.contracts.VerifyResult;
import org.memcircuits.service.InputChecks;
import org.memcircuits.service.StageJob;

/**
 * The verification stage: direct requests, and discovery results whose request names it next (on
 * the dataset the circuit was found on, at its minimal edge count, as discovery measured it).
 */
@ApplicationScoped
public class VerifyStage implements StageJob<VerifyRequest, VerifyResult> {
    private final VerifyJobs jobs;
    private final InputChecks checks;

    public VerifyStage(VerifyJobs jobs, InputChecks checks) {
        this.jobs = jobs;
        this.checks = checks;
    }

    @Override
    public Stage stage() {
        return Stage.VERIFY;
    }

    @Override
    public Class<VerifyRequest> requestType() {
        return VerifyRequest.class;
    }

    @Override
    public VerifyRequest normalized(VerifyRequest decoded) {
        return decoded.normalized();
    }

    @Override
    public VerifyRequest fromUpstream(String data) {
        DiscoveryResult d = EventCodec.fromJson(data, DiscoveryResult.class);
        var after = d.request() == null ? null : Stage.VERIFY.after(d.request().next());
        if (after == null || d.minimalEdges() == null) {
            return null;
        }
        var p = d.request().params();
        return new VerifyRequest(1, null, d.request().model(), d.request().dataset(), d.pruneScores(),
                List.of(d.minimalEdges()), p.ablation(), p.patch(), p.direction(), p.metric(), null, null, null, null,
                d.request().dataset(), p.trainFraction(), p.batchSize()).normalized();
    }

    @Override
    public void checkInputs(VerifyRequest r) {
        checks.artifact(r.dataset(), "dataset");
        checks.artifact(r.scores(), "scores");
        if (r.trainDataset() != null) {
            checks.artifact(r.trainDataset(), "trainDataset");
        }
        checks.model(r.model());
    }

    @Override
    public String accepted(VerifyRequest r) {
        return "evaluating " + r.edges().size() + " edge counts with " + r.randomTrials() + " random circuits each";
    }

    @Override
    public VerifyResult run(VerifyRequest r, Progress progress) {
        return jobs.run(r);
    }

    @Override
    public String summary(VerifyResult result) {
        return "report at " + result.report().uri();
    }
}
