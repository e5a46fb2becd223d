package org.memcircuits.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Progress on the status topic. {@code done}/{@code total} count the stage's own unit (documents
 * for scoring); a FAILED event's message names the problem.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobStatus(int schemaVersion, String jobId, String stage, State state, Long done, Long total,
        String message, String time) {

    public enum State {
        ACCEPTED,
        RUNNING,
        SUCCEEDED,
        FAILED
    }

    public static JobStatus of(String jobId, String stage, State state, Long done, Long total, String message) {
        return new JobStatus(1, jobId, stage, state, done, total, message, java.time.Instant.now().toString());
    }

    public boolean terminal() {
        return state == State.SUCCEEDED || state == State.FAILED;
    }
}
