package org.memcircuits.scorer.service;

import java.util.ArrayList;
import java.util.List;
import org.memcircuits.contracts.ScoreRequest;
import org.memcircuits.contracts.ScoreShard;

/** Contiguous shards of {@code shardSize} records; the last may be shorter; an empty corpus has one empty shard. */
public final class ShardPlanner {
    private ShardPlanner() {}

    public static List<ScoreShard> plan(ScoreRequest r, long records) {
        long size = r.shardSize();
        int count = (int) Math.max(1, (records + size - 1) / size);
        List<ScoreShard> shards = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            long from = k * size;
            shards.add(ScoreShard.of(r, k, count, from, Math.min(records, from + size)));
        }
        return shards;
    }
}
