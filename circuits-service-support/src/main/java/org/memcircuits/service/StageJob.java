package org.memcircuits.service;

import org.memcircuits.contracts.Stage;
import org.memcircuits.contracts.StageRequest;

/**
 * What is particular to one stage; {@link StageHandler} runs it in the sequence every stage shares.
 *
 * @param <R> the stage's request
 * @param <O> the result event it announces
 */
public interface StageJob<R extends StageRequest, O> {
    Stage stage();

    Class<R> requestType();

    /** The request with defaults filled in and its job id derived when absent. */
    R normalized(R decoded);

    /**
     * The request this stage runs for an upstream stage's result event, or null when that result's
     * request does not name this stage next (then the event is simply processed).
     */
    R fromUpstream(String upstreamEventData);

    /** The request's inputs exist, complete, within what this service may read; each failure names the field. */
    void checkInputs(R request);

    /** The status message when the job is accepted. */
    String accepted(R request);

    /** Runs the job: reads its inputs, writes and verifies its artifacts, and returns the result event. */
    O run(R request, Progress progress);

    /** The status message when the job succeeded. */
    String summary(O result);

    /** Progress within a job, as a RUNNING status. */
    @FunctionalInterface
    interface Progress {
        void report(long done, long total, String message);
    }
}
