package org.memcircuits.service;

import java.util.Map;

/** The topics a service consumes or produces, with the partitions each needs (1 unless sharded). */
public interface ServiceTopics {
    Map<String, Integer> partitions();
}
