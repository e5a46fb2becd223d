package org.memcircuits.contracts;

/**
 * A discovered circuit: prune scores (safetensors, one tensor per destination hook), the graph
 * (EAP-IG JSON), the result JSON with the search trace, and an SVG drawing.
 */
public record DiscoveryResult(int schemaVersion, String jobId, ArtifactRef pruneScores, ArtifactRef graph, ArtifactRef result,
        ArtifactRef drawing, Integer minimalEdges, Double faithfulness, DiscoveryRequest request) {}
