package org.memcircuits.contracts;

/**
 * A contrastive dataset ({@code {"prompts":[...]}}, the format discovery reads), the divergence
 * side file in divergence mode, and the summary with every filter's count.
 */
public record ContrastiveResult(int schemaVersion, String jobId, ArtifactRef dataset, ArtifactRef divergence,
        ArtifactRef summary, int pairs, ContrastiveRequest request) {}
