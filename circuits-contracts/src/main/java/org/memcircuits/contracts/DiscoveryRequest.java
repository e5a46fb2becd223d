package org.memcircuits.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/**
 * Find a circuit: EAP-IG scores on the train split of a contrastive dataset, then the smallest
 * circuit that keeps the target faithfulness on the test split.
 *
 * @param dataset {@code {"prompts":[{clean, corrupt, answers, wrong_answers}]}} JSON
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DiscoveryRequest(int schemaVersion, String jobId, String model, ArtifactRef dataset, DiscoveryParams params,
        List<String> next) implements StageRequest {

    public DiscoveryRequest normalized() {
        DiscoveryRequest r = new DiscoveryRequest(schemaVersion == 0 ? ScoreRequest.SCHEMA_VERSION : schemaVersion, null, model,
                dataset, (params == null ? DiscoveryParams.defaults() : params.normalized()),
                next == null ? List.of() : List.copyOf(next));
        return new DiscoveryRequest(r.schemaVersion, jobId != null ? jobId : JobIds.derive("discover", r), r.model, r.dataset,
                r.params, r.next);
    }

    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (schemaVersion != ScoreRequest.SCHEMA_VERSION) {
            p.add("schemaVersion: expected " + ScoreRequest.SCHEMA_VERSION + ", got " + schemaVersion);
        }
        if (JobIds.problem(jobId) != null) {
            p.add(JobIds.problem(jobId));
        }
        if (model == null || model.isBlank()) {
            p.add("model: required (builtin:PRESET or a checkpoint directory)");
        }
        if (dataset == null) {
            p.add("dataset: required (an artifact reference s3://bucket/key with sha256 and size)");
        }
        if (params != null) {
            p.addAll(params.problems().stream().map(s -> "params." + s).toList());
        }
        return p;
    }
}
