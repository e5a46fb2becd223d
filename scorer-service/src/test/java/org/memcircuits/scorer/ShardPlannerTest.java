package org.memcircuits.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.ScoreRequest;
import org.memcircuits.contracts.ScoreShard;
import org.memcircuits.contracts.ScoreStats;
import org.memcircuits.scorer.service.ShardPlanner;

/** Shard split and merge arithmetic, without servers. */
class ShardPlannerTest {
    private static final ScoreRequest REQ = new ScoreRequest(1, null, "builtin:tiny",
            new ArtifactRef("s3://b/k.jsonl", "0".repeat(64), 1, null), "text", 5, 4, 2, 10, null).normalized();

    @Test
    void shardsCoverEveryRecordOnceInOrder() {
        List<ScoreShard> shards = ShardPlanner.plan(REQ, 25);
        assertThat(shards).extracting(ScoreShard::fromDocument).containsExactly(0L, 10L, 20L);
        assertThat(shards).extracting(ScoreShard::toDocument).containsExactly(10L, 20L, 25L);
        assertThat(shards).allMatch(s -> s.shardCount() == 3 && s.jobId().equals(REQ.jobId()));
        assertThat(ShardPlanner.plan(REQ, 30)).hasSize(3);
        assertThat(ShardPlanner.plan(REQ, 0)).singleElement()
                .satisfies(s -> assertThat(s.toDocument() - s.fromDocument()).isZero());
    }

    @Test
    void statsOfShardsAddUp() {
        ScoreStats a = new ScoreStats(10, 8, 1, 1, new long[] {5, 1, 0, 0, 2}, 32);
        ScoreStats b = new ScoreStats(5, 5, 0, 0, new long[] {1, 0, 0, 1, 3}, 20);
        ScoreStats sum = ScoreStats.empty(4).plus(a).plus(b);
        assertThat(sum).isEqualTo(new ScoreStats(15, 13, 1, 1, new long[] {6, 1, 0, 1, 5}, 52));
    }
}
