package org.memcircuits.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/**
 * Verify a circuit: its prune scores evaluated on any contrastive dataset at the given edge counts,
 * against random circuits of the same size.
 *
 * @param trainDataset the dataset the scores were computed on, for the leakage count (optional)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VerifyRequest(int schemaVersion, String jobId, String model, ArtifactRef dataset, ArtifactRef scores,
        List<Integer> edges, String ablation, String patch, String direction, String metric, Integer randomTrials, Long seed,
        Double margin, Double datasetSize, ArtifactRef trainDataset, Double trainFraction, Integer batchSize)
        implements StageRequest {

    public VerifyRequest normalized() {
        VerifyRequest r = new VerifyRequest(schemaVersion == 0 ? ScoreRequest.SCHEMA_VERSION : schemaVersion, null, model, dataset,
                scores, edges == null ? List.of() : List.copyOf(edges), lower(ablation, "resample"), lower(patch, "edge"),
                lower(direction, "noising"), lower(metric, "logit_diff"), randomTrials == null ? 10 : randomTrials,
                seed == null ? 42L : seed, margin == null ? 0.05 : margin, datasetSize == null ? 1.0 : datasetSize, trainDataset,
                trainFraction == null ? 0.9 : trainFraction, batchSize == null ? 80 : batchSize);
        return new VerifyRequest(r.schemaVersion, jobId != null ? jobId : JobIds.derive("verify", r), r.model, r.dataset, r.scores,
                r.edges, r.ablation, r.patch, r.direction, r.metric, r.randomTrials, r.seed, r.margin, r.datasetSize,
                r.trainDataset, r.trainFraction, r.batchSize);
    }

    private static String lower(String v, String fallback) {
        return v == null ? fallback : v.trim().toLowerCase().replace('-', '_').replaceFirst("_patch$", "");
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
            p.add("dataset: required (a contrastive dataset artifact)");
        }
        if (scores == null) {
            p.add("scores: required (a prune-scores artifact from discovery)");
        }
        p.addAll(parameterProblems());
        return p;
    }

    /** Problems of the evaluation parameters alone (what a local run with files needs). */
    public List<String> parameterProblems() {
        List<String> p = new ArrayList<>();
        if (edges.isEmpty() || edges.stream().anyMatch(e -> e == null || e < 0)) {
            p.add("edges: expected a non-empty list of edge counts >= 0");
        }
        if (!DiscoveryParams.ABLATIONS.contains(ablation)) {
            p.add("ablation: expected one of " + new java.util.TreeSet<>(DiscoveryParams.ABLATIONS) + ", got '" + ablation + "'");
        }
        if (!DiscoveryParams.PATCHES.contains(patch)) {
            p.add("patch: expected edge or tree, got '" + patch + "'");
        }
        if (!DiscoveryParams.DIRECTIONS.contains(direction)) {
            p.add("direction: expected denoising or noising, got '" + direction + "'");
        }
        if (!DiscoveryParams.METRICS.contains(metric)) {
            p.add("metric: expected one of " + new java.util.TreeSet<>(DiscoveryParams.METRICS) + ", got '" + metric + "'");
        }
        if (randomTrials < 0 || randomTrials > 1000) {
            p.add("randomTrials: expected 0..1000, got " + randomTrials);
        }
        if (!(datasetSize > 0 && datasetSize <= 1)) {
            p.add("datasetSize: expected (0, 1], got " + datasetSize);
        }
        if (batchSize < 1 || batchSize > 4096) {
            p.add("batchSize: expected 1..4096, got " + batchSize);
        }
        return p;
    }
}
