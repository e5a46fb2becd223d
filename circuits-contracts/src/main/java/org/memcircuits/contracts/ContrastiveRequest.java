package org.memcircuits.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/**
 * Build contrastive pairs from scores: {@code divergence} (branch decision) or {@code dataset}
 * (memorization decision, optionally with an earlier divergence side file).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContrastiveRequest(int schemaVersion, String jobId, String model, ArtifactRef scores, ArtifactRef divergence,
        String mode, Double threshold, String similarity, Boolean filterLengthMismatch, Integer batchSize, Integer maxPairs,
        List<String> next) implements StageRequest {

    public ContrastiveRequest normalized() {
        ContrastiveRequest r = new ContrastiveRequest(schemaVersion == 0 ? ScoreRequest.SCHEMA_VERSION : schemaVersion, null,
                model, scores, divergence, mode == null ? "divergence" : mode.trim().toLowerCase(),
                threshold == null ? 0.75 : threshold, similarity == null ? "embedding" : similarity.trim().toLowerCase(),
                filterLengthMismatch != null && filterLengthMismatch, batchSize == null ? 32 : batchSize,
                maxPairs == null ? 1000 : maxPairs, next == null ? List.of() : List.copyOf(next));
        return r.withJobId(jobId != null ? jobId : JobIds.derive("contrastive", r));
    }

    public ContrastiveRequest withJobId(String id) {
        return new ContrastiveRequest(schemaVersion, id, model, scores, divergence, mode, threshold, similarity,
                filterLengthMismatch, batchSize, maxPairs, next);
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
        if (scores == null) {
            p.add("scores: required (the scores JSONL artifact of stage 1)");
        }
        if (!List.of("divergence", "dataset").contains(mode)) {
            p.add("mode: expected divergence or dataset, got '" + mode + "'");
        }
        if (divergence != null && "divergence".equals(mode)) {
            p.add("divergence: only used with mode dataset");
        }
        if (!(threshold > 0 && threshold <= 1)) {
            p.add("threshold: expected (0, 1], got " + threshold);
        }
        if (!List.of("embedding", "jaccard").contains(similarity)) {
            p.add("similarity: expected embedding or jaccard, got '" + similarity + "'");
        }
        if (batchSize < 1 || batchSize > 4096) {
            p.add("batchSize: expected 1..4096, got " + batchSize);
        }
        if (maxPairs < 0) {
            p.add("maxPairs: expected >= 0, got " + maxPairs);
        }
        return p;
    }
}
