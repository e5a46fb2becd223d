package org.memcircuits.contracts;

/**
 * One shard of a scoring job: documents {@code [fromDocument, toDocument)} of the corpus (indices
 * count every record of the file, so shards are stable).
 */
public record ScoreShard(int schemaVersion, String jobId, int shardIndex, int shardCount, long fromDocument,
        long toDocument, ScoreRequest request) {

    public static ScoreShard of(ScoreRequest r, int index, int count, long from, long to) {
        return new ScoreShard(ScoreRequest.SCHEMA_VERSION, r.jobId(), index, count, from, to, r);
    }
}
