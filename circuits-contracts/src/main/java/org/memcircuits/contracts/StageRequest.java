package org.memcircuits.contracts;

import java.util.List;

/** What every stage's request has: a job id (derived when absent) and the list of what is wrong with it. */
public interface StageRequest {
    String jobId();

    /** What is wrong with the (normalized) request, each problem naming its field; empty if valid. */
    List<String> problems();
}
