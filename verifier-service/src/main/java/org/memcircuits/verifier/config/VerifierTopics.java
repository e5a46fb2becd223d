package org.memcircuits.verifier.config;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import org.memcircuits.contracts.Topics;
import org.memcircuits.service.ServiceTopics;

/** The verifier's topics. */
@ApplicationScoped
public class VerifierTopics implements ServiceTopics {
    @Override
    public Map<String, Integer> partitions() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String t : new String[] {Topics.VERIFY_REQUESTS, Topics.VERIFY_RESULTS, Topics.DISCOVERY_RESULTS, Topics.STATUS,
                Topics.deadLetter(Topics.VERIFY_REQUESTS), Topics.deadLetter(Topics.DISCOVERY_RESULTS)}) {
            m.put(t, 1);
        }
        return m;
    }
}
