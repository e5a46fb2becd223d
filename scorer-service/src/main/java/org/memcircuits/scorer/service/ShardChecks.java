package org.memcircuits.scorer.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.memcircuits.InvalidInputException;
import org.memcircuits.contracts.ScoreRequest;
import org.memcircuits.contracts.ScoreShard;
import org.memcircuits.contracts.ScoreShardDone;
import org.memcircuits.service.InputChecks;

/**
 * Shard and shard-done events are written by the planner, but anyone who can write to their topics
 * can send one: each is checked to be consistent with the request it carries, and kept to the
 * buckets and models this service may use, before anything is read.
 */
@ApplicationScoped
public class ShardChecks {
    private final InputChecks inputs;

    public ShardChecks(InputChecks inputs) {
        this.inputs = inputs;
    }

    public void shard(ScoreShard s) {
        request(s.jobId(), s.request(), s.shardIndex(), s.shardCount());
        if (s.fromDocument() < 0 || s.toDocument() < s.fromDocument()) {
            throw new InvalidInputException("documents: expected 0 <= fromDocument <= toDocument, got [" + s.fromDocument() + ", "
                    + s.toDocument() + ")");
        }
        inputs.bucket(s.request().corpus(), "request.corpus");
        inputs.model(s.request().model());
    }

    public void shardDone(ScoreShardDone d) {
        request(d.jobId(), d.request(), d.shardIndex(), d.shardCount());
        if (d.scores() != null) {
            inputs.bucket(d.scores(), "scores");
        }
    }

    private static void request(String jobId, ScoreRequest r, int index, int count) {
        if (r == null) {
            throw new InvalidInputException("request: required");
        }
        List<String> problems = r.problems();
        if (!problems.isEmpty()) {
            throw new InvalidInputException("invalid request: " + String.join("; ", problems));
        }
        if (r.jobId() == null || !r.jobId().equals(jobId)) {
            throw new InvalidInputException("jobId: '" + jobId + "' differs from the request's '" + r.jobId() + "'");
        }
        if (count < 1 || index < 0 || index >= count) {
            throw new InvalidInputException("shardIndex/shardCount: expected 0 <= index < count, got " + index + "/" + count);
        }
    }
}
