package org.memcircuits.scorer;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.memcircuits.InvalidInputException;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.ScoreRequest;
import org.memcircuits.contracts.ScoreShard;
import org.memcircuits.contracts.ScoreShardDone;
import org.memcircuits.scorer.service.ShardChecks;
import org.memcircuits.service.InputChecks;

/** Shard events from outside the planner are held to the request they carry and to the allowed buckets and models. */
class ShardChecksTest {
    private static final String SHA = "b".repeat(64);
    private static final ShardChecks CHECKS = new ShardChecks(new InputChecks(null, List.of("circuits"), List.of()));

    private static ScoreRequest request(String model, String uri) {
        return new ScoreRequest(1, null, model, new ArtifactRef(uri, SHA, 10, null), "text", 8, 8, 2, 4, null).normalized();
    }

    @Test
    void plannedShardPasses() {
        ScoreRequest r = request("builtin:tiny", "s3://circuits/inputs/c.jsonl");
        assertThatCode(() -> CHECKS.shard(ScoreShard.of(r, 1, 3, 4, 8))).doesNotThrowAnyException();
    }

    @Test
    void forgedShardsAreRefusedNamingWhatIsWrong() {
        ScoreRequest r = request("builtin:tiny", "s3://circuits/inputs/c.jsonl");
        assertThatThrownBy(() -> CHECKS.shard(new ScoreShard(1, "other-job", 0, 1, 0, 1, r)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("differs from the request's");
        assertThatThrownBy(() -> CHECKS.shard(new ScoreShard(1, "x", 0, 1, 0, 1, r.withJobId(null))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("jobId");
        assertThatThrownBy(() -> CHECKS.shard(ScoreShard.of(r, 3, 3, 0, 1))).hasMessageContaining("shardIndex");
        assertThatThrownBy(() -> CHECKS.shard(ScoreShard.of(r, 0, 1, 5, 1))).hasMessageContaining("fromDocument");
        assertThatThrownBy(() -> CHECKS.shard(ScoreShard.of(request("builtin:tiny", "s3://elsewhere/c.jsonl"), 0, 1, 0, 1)))
                .hasMessageContaining("bucket 'elsewhere'");
        assertThatThrownBy(() -> CHECKS.shard(ScoreShard.of(request("/etc", "s3://circuits/c.jsonl"), 0, 1, 0, 1)))
                .hasMessageContaining("not under a model root");
        assertThatThrownBy(() -> CHECKS.shard(new ScoreShard(1, "x", 0, 1, 0, 1, null))).hasMessageContaining("request: required");
    }

    @Test
    void shardDoneNamingAnotherBucketIsRefused() {
        ScoreRequest r = request("builtin:tiny", "s3://circuits/inputs/c.jsonl");
        ScoreShardDone d = new ScoreShardDone(1, r.jobId(), 0, 1, new ArtifactRef("s3://elsewhere/k", SHA, 1, null), null, r);
        assertThatThrownBy(() -> CHECKS.shardDone(d)).hasMessageContaining("scores: bucket 'elsewhere'");
    }
}
