package org.memcircuits.contracts;

/**
 * A scoring job's result: all records as JSONL ({@code scores}) and the summary JSON. The
 * records keep the original schema: {@code context, decoded_context, completion,
 * decoded_completion, true_completion, decoded_true_completion, memorization_score}.
 */
public record ScoreResult(int schemaVersion, String jobId, ArtifactRef scores, ArtifactRef summary, ScoreStats stats,
        ScoreRequest request) {}
