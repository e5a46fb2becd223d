package org.memcircuits.contracts;

/** A shard is scored and its records are stored at {@code scores}. */
public record ScoreShardDone(int schemaVersion, String jobId, int shardIndex, int shardCount, ArtifactRef scores,
        ScoreStats stats, ScoreRequest request) {}
