package org.memcircuits.discovery.service;

import jakarta.enterprise.context.ApplicationScoped;
import org.memcircuits.contracts.ContrastiveResult;
import org.memcircuits.contracts.DiscoveryRequest;
import org.memcircuits.contracts.DiscoveryResult;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.Stage;
import org.memcircuits.service.InputChecks;
import org.memcircuits.service.StageJob;

/**
 * The discovery stage: direct requests, and contrastive datasets whose request names it next
 * (default parameters). Progress per IG step and batch.
 */
@ApplicationScoped
public class DiscoveryStage implements StageJob<DiscoveryRequest, DiscoveryResult> {
    private final DiscoveryJobs jobs;
    private final InputChecks checks;

    public DiscoveryStage(DiscoveryJobs jobs, InputChecks checks) {
        this.jobs = jobs;
        this.checks = checks;
    }

    @Override
    public Stage stage() {
        return Stage.DISCOVER;
    }

    @Override
    public Class<DiscoveryRequest> requestType() {
        return DiscoveryRequest.class;
    }

    @Override
    public DiscoveryRequest normalized(DiscoveryRequest decoded) {
        return decoded.normalized();
    }

    @Override
    public DiscoveryRequest fromUpstream(String data) {
        ContrastiveResult c = EventCodec.fromJson(data, ContrastiveResult.class);
        var after = c.request() == null ? null : Stage.DISCOVER.after(c.request().next());
        if (after == null) {
            return null;
        }
        return new DiscoveryRequest(1, null, c.request().model(), c.dataset(), null, after).normalized();
    }

    @Override
    public void checkInputs(DiscoveryRequest r) {
        checks.artifact(r.dataset(), "dataset");
        checks.model(r.model());
    }

    @Override
    public String accepted(DiscoveryRequest r) {
        return "attribution starting";
    }

    @Override
    public DiscoveryResult run(DiscoveryRequest r, Progress progress) {
        return jobs.run(r, (b, bs, s, ss) -> progress.report((long) b * ss + s + 1, (long) bs * ss,
                "IG step " + (s + 1) + "/" + ss + ", batch " + (b + 1) + "/" + bs));
    }

    @Override
    public String summary(DiscoveryResult result) {
        return "circuit of " + result.minimalEdges() + " edges (faithfulness " + result.faithfulness() + ") at "
                + result.graph().uri();
    }
}
