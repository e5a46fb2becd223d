package org.memcircuits.contrastive.service.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import org.memcircuits.contracts.ContrastiveRequest;
import org.memcircuits.contracts.ContrastiveResult;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.ScoreResult;
import org.memcircuits.contracts.Stage;
import org.memcircuits.service.InputChecks;
import org.memcircuits.service.StageJob;

/**
 * The contrastive stage: direct requests, and score results whose request names it next (branch
 * decision with default parameters).
 */
@ApplicationScoped
public class ContrastiveStage implements StageJob<ContrastiveRequest, ContrastiveResult> {
    private final ContrastiveJobs jobs;
    private final InputChecks checks;
    private final ContrastiveMetrics metrics;

    public ContrastiveStage(ContrastiveJobs jobs, InputChecks checks, ContrastiveMetrics metrics) {
        this.jobs = jobs;
        this.checks = checks;
        this.metrics = metrics;
    }

    @Override
    public Stage stage() {
        return Stage.CONTRASTIVE;
    }

    @Override
    public Class<ContrastiveRequest> requestType() {
        return ContrastiveRequest.class;
    }

    @Override
    public ContrastiveRequest normalized(ContrastiveRequest decoded) {
        return decoded.normalized();
    }

    @Override
    public ContrastiveRequest fromUpstream(String data) {
        ScoreResult s = EventCodec.fromJson(data, ScoreResult.class);
        var after = s.request() == null ? null : Stage.CONTRASTIVE.after(s.request().next());
        if (after == null) {
            return null;
        }
        return new ContrastiveRequest(1, null, s.request().model(), s.scores(), null, "divergence", null, null, null, null, null,
                after).normalized();
    }

    @Override
    public void checkInputs(ContrastiveRequest r) {
        checks.artifact(r.scores(), "scores");
        if (r.divergence() != null) {
            checks.artifact(r.divergence(), "divergence");
        }
        checks.model(r.model());
    }

    @Override
    public String accepted(ContrastiveRequest r) {
        return r.mode();
    }

    @Override
    public ContrastiveResult run(ContrastiveRequest r, Progress progress) {
        long[] last = {0};
        return jobs.run(r, (done, total) -> {
            if (done == total) {
                metrics.samples.increment(total);
            }
            if (done - last[0] >= 16 || done == total) {
                last[0] = done;
                progress.report(done, total, "samples");
            }
        });
    }

    @Override
    public String summary(ContrastiveResult result) {
        return result.pairs() + " pairs at " + result.dataset().uri();
    }
}
