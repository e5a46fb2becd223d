package org.memcircuits.contrastive.service.config;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import org.memcircuits.contracts.Topics;
import org.memcircuits.service.ServiceTopics;

/** The contrastive stage's topics. */
@ApplicationScoped
public class ContrastiveTopics implements ServiceTopics {
    @Override
    public Map<String, Integer> partitions() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String t : new String[] {Topics.CONTRASTIVE_REQUESTS, Topics.CONTRASTIVE_RESULTS, Topics.SCORE_RESULTS,
                Topics.STATUS, Topics.deadLetter(Topics.CONTRASTIVE_REQUESTS), Topics.deadLetter(Topics.SCORE_RESULTS)}) {
            m.put(t, 1);
        }
        return m;
    }
}
