package org.memcircuits.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.JobStatus;
import org.memcircuits.contracts.ScoreRequest;
import org.memcircuits.contracts.ScoreResult;
import org.memcircuits.contracts.ScoreShardDone;
import org.memcircuits.contracts.Topics;
import org.memcircuits.testing.LocalStack;
import org.memcircuits.testing.StatusWatch;
import org.memcircuits.testing.TestKafka;
import org.memcircuits.testing.TopicTail;

/**
 * The broker restarted, and the S3 server stopped for 30 s, while a scoring job is under way (a shard in progress):
 * the job completes once they are back, announces one result, and every artifact any event of the job references
 * (each finished shard, the merged scores, the summary) is there with the digest and size the event names.
 */
class OutageIT {
    private static LocalStack stack;
    private static Scenario scenario;
    private static ArtifactStore store;
    private static Pipeline pipeline;

    @BeforeAll
    static void start() {
        stack = LocalStack.get();
        scenario = Scenario.start(stack, "outage", List.of(Pipeline.SCORER));
        store = scenario.store();
        pipeline = scenario.pipeline();
    }

    @AfterAll
    static void stop() {
        if (scenario != null) {
            scenario.close();
        }
    }

    @Test
    void brokerRestartedMidJob() {
        runThrough("broker", () -> {
            long t = System.nanoTime();
            stack.restartKafka();
            KillAndRestartIT.log("outage: broker restarted in %d ms", KillAndRestartIT.ms(t));
        });
    }

    @Test
    void s3StoppedFor30SecondsMidJob() {
        runThrough("s3", () -> {
            stack.stopS3();
            try {
                Thread.sleep(30_000); // the outage itself, not a wait for an outcome
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stack.startS3();
            }
        });
    }

    private void runThrough(String what, Runnable fault) {
        ArtifactRef corpus = Fixtures.putText(store, "inputs/" + what + ".jsonl", Fixtures.jsonl(Fixtures.plain(40)),
                "application/x-ndjson");
        ScoreRequest req = new ScoreRequest(1, null, Fixtures.MODEL, corpus, "text", Fixtures.P, Fixtures.G, 2, 4, null).normalized();
        String jobId = req.jobId();
        long t0 = System.nanoTime();
        try (StatusWatch w = StatusWatch.fromNow(stack.kafkaBootstrap());
                TopicTail results = TopicTail.fromEnd(stack.kafkaBootstrap(), Topics.SCORE_RESULTS);
                TopicTail shardsDone = TopicTail.fromEnd(stack.kafkaBootstrap(), Topics.SCORE_SHARDS_DONE)) {
            TestKafka.send(stack.kafkaBootstrap(), Topics.SCORE_REQUESTS, jobId, EventTypes.SCORE_REQUEST, EventCodec.toJson(req));
            JobStatus mid = w.await(jobId, "score", s -> s.state() == JobStatus.State.RUNNING && s.message() != null
                    && s.message().startsWith("shard "), Duration.ofMinutes(4), "a shard in progress");
            KillAndRestartIT.log("outage %s: fault at '%s' %d ms after the request", what, mid.message(), KillAndRestartIT.ms(t0));
            assertThat(w.statuses(jobId)).as("job still running when the fault starts").noneMatch(JobStatus::terminal);
            fault.run();
            JobStatus end = w.awaitTerminal(jobId, "score", Duration.ofMinutes(6));
            KillAndRestartIT.log("outage %s: %s %d ms after the request (%s)", what, end.state(), KillAndRestartIT.ms(t0), end.message());
            assertThat(end.state()).as("job %s after the %s outage: %s", jobId, what, end.message()).isEqualTo(JobStatus.State.SUCCEEDED);
            pipeline.awaitQuiet(Duration.ofMinutes(2));
            results.catchUp(Duration.ofSeconds(20));
            shardsDone.catchUp(Duration.ofSeconds(20));
            List<ConsumerRecord<String, byte[]>> mine = results.seen().stream().filter(r -> jobId.equals(r.key())).toList();
            assertThat(mine).as("result events of %s", jobId).hasSize(1);
            ScoreResult result = EventCodec.fromJson(TopicTail.text(mine.get(0)), ScoreResult.class);
            Artifacts.verify(store, result.scores());
            Artifacts.verify(store, result.summary());
            assertThat(result.stats().documents()).isEqualTo(40);
            int shards = 0;
            for (ConsumerRecord<String, byte[]> r : shardsDone.seen()) {
                if (jobId.equals(r.key())) {
                    Artifacts.verify(store, EventCodec.fromJson(TopicTail.text(r), ScoreShardDone.class).scores());
                    shards++;
                }
            }
            assertThat(shards).as("shard-done events of %s", jobId).isGreaterThanOrEqualTo(10);
            assertThat(w.statuses(jobId)).as("statuses of %s", jobId).noneMatch(s -> s.state() == JobStatus.State.FAILED);
        }
        assertThat(pipeline.notReady()).isEmpty();
    }
}
