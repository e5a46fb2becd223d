package org.memcircuits.scorer.config;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import org.memcircuits.contracts.Topics;
import org.memcircuits.service.ServiceTopics;

/** The scorer's topics; the shard topic's partitions are the most replicas one job can use. */
@ApplicationScoped
public class ScorerTopics implements ServiceTopics {
    private final ScorerConfig config;

    public ScorerTopics(ScorerConfig config) {
        this.config = config;
    }

    @Override
    public Map<String, Integer> partitions() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put(Topics.SCORE_SHARDS, config.shardPartitions());
        for (String t : new String[] {Topics.SCORE_REQUESTS, Topics.SCORE_SHARDS_DONE, Topics.SCORE_RESULTS, Topics.STATUS,
                Topics.deadLetter(Topics.SCORE_REQUESTS), Topics.deadLetter(Topics.SCORE_SHARDS),
                Topics.deadLetter(Topics.SCORE_SHARDS_DONE)}) {
            m.put(t, 1);
        }
        return m;
    }
}
