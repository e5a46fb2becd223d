package org.memcircuits.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.JobStatus;
import org.memcircuits.contracts.Topics;

/**
 * The status topic ({@link Topics#STATUS}) from the moment of creation on: wait for a job's stage to reach a state,
 * or for its terminal status. Statuses that are not valid {@link JobStatus} JSON are skipped.
 */
public final class StatusWatch implements AutoCloseable {
    private final TopicTail tail;

    private StatusWatch(TopicTail tail) {
        this.tail = tail;
    }

    /** Statuses published after this call. */
    public static StatusWatch fromNow(String bootstrap) {
        return new StatusWatch(TopicTail.fromEnd(bootstrap, Topics.STATUS));
    }

    public static StatusWatch fromStart(String bootstrap) {
        return new StatusWatch(TopicTail.fromStart(bootstrap, Topics.STATUS));
    }

    private static JobStatus parse(ConsumerRecord<String, byte[]> r) {
        try {
            return r.value() == null ? null : EventCodec.fromJson(TopicTail.text(r), JobStatus.class);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The first status of {@code jobId} (any job if null; stage {@code stage}, any stage if null) matching {@code p}. */
    public JobStatus await(String jobId, String stage, Predicate<JobStatus> p, Duration timeout, String what) {
        ConsumerRecord<String, byte[]> r = tail.await(x -> {
            JobStatus s = parse(x);
            return s != null && (jobId == null || jobId.equals(s.jobId())) && (stage == null || stage.equals(s.stage())) && p.test(s);
        }, timeout, "job " + jobId + (stage == null ? "" : " stage " + stage) + ": " + what + "; statuses of the job so far: "
                + describe(jobId));
        return parse(r);
    }

    public JobStatus awaitState(String jobId, String stage, JobStatus.State state, Duration timeout) {
        return await(jobId, stage, s -> s.state() == state, timeout, "state " + state);
    }

    /** SUCCEEDED or FAILED. */
    public JobStatus awaitTerminal(String jobId, String stage, Duration timeout) {
        return await(jobId, stage, JobStatus::terminal, timeout, "a terminal state");
    }

    /** Asserts the stage succeeded (fails with the FAILED message otherwise). */
    public JobStatus awaitSucceeded(String jobId, String stage, Duration timeout) {
        JobStatus s = awaitTerminal(jobId, stage, timeout);
        if (s.state() != JobStatus.State.SUCCEEDED) {
            throw new AssertionError("job " + jobId + " stage " + stage + " ended " + s.state() + ": " + s.message());
        }
        return s;
    }

    /** Every status of {@code jobId} read so far, after reading what is on the topic now. */
    public List<JobStatus> statuses(String jobId) {
        tail.catchUp(Duration.ofSeconds(20));
        List<JobStatus> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : tail.seen()) {
            JobStatus s = parse(r);
            if (s != null && jobId.equals(s.jobId())) {
                out.add(s);
            }
        }
        return out;
    }

    /** Every status read so far (any job). */
    public List<JobStatus> all() {
        return tail.seen().stream().map(StatusWatch::parse).filter(java.util.Objects::nonNull).toList();
    }

    private String describe(String jobId) {
        StringBuilder b = new StringBuilder("[");
        for (ConsumerRecord<String, byte[]> r : tail.seen()) {
            JobStatus s = parse(r);
            if (s != null && (jobId == null || jobId.equals(s.jobId()))) {
                b.append(b.length() > 1 ? ", " : "").append(s.stage()).append(' ').append(s.state())
                        .append(s.message() == null ? "" : " '" + s.message() + "'");
            }
        }
        return b.append(']').toString();
    }

    @Override
    public void close() {
        tail.close();
    }
}
