package org.memcircuits.contracts;

/** A verification: {@code result.json} (every metric, random baseline, leakage) and {@code report.html}. */
public record VerifyResult(int schemaVersion, String jobId, ArtifactRef result, ArtifactRef report, VerifyRequest request) {}
