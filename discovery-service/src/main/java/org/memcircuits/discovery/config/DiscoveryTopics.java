package org.memcircuits.discovery.config;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import org.memcircuits.contracts.Topics;
import org.memcircuits.service.ServiceTopics;

/** Discovery's topics: requests are spread over replicas by partition (one job per replica at a time). */
@ApplicationScoped
public class DiscoveryTopics implements ServiceTopics {
    @Override
    public Map<String, Integer> partitions() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put(Topics.DISCOVERY_REQUESTS, 4);
        m.put(Topics.DISCOVERY_RESULTS, 1);
        m.put(Topics.STATUS, 1);
        m.put(Topics.deadLetter(Topics.DISCOVERY_REQUESTS), 1);
        m.put(Topics.CONTRASTIVE_RESULTS, 1);
        m.put(Topics.deadLetter(Topics.CONTRASTIVE_RESULTS), 1);
        return m;
    }
}
