package org.memcircuits.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.memcircuits.contracts.ContractException;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.JobStatus;
import org.memcircuits.contracts.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Follows a job on the status topic with a progress bar (stderr) until the watched stage ends;
 * prints the final status as JSON. Exit 0 when it succeeded, 1 when it failed, 3 on timeout.
 */
@Command(name = "watch", description = "Follow a job's progress until it ends.")
final class WatchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "JOB", description = "Job id printed by submit.")
    String jobId;

    @Option(names = "--stage", defaultValue = "score", description = "Stage whose end ends the watch. Default: ${DEFAULT-VALUE}.")
    String stage;

    @Option(names = "--timeout", defaultValue = "3600", description = "Seconds. Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    @Option(names = "--any-job", description = "Follow the first job of --stage that starts after now (chained stages derive their own ids).")
    boolean anyJob;

    @Override
    public Integer call() {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        long since = System.currentTimeMillis() - 120_000;
        try (KafkaConsumer<String, String> c = Cluster.consumer()) {
            List<TopicPartition> parts = c.partitionsFor(Topics.STATUS, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    if (anyJob) {
                        if (r.timestamp() < since) {
                            continue;
                        }
                        JobStatus other = parse(r.value());
                        if (other != null && other.state() == JobStatus.State.FAILED) {
                            System.err.println();
                            Json.print(other);
                            return 1;
                        }
                        if (r.key() == null || !r.key().startsWith(stage + "-")) {
                            continue;
                        }
                        jobId = r.key();
                        anyJob = false;
                    } else if (!jobId.equals(r.key())) {
                        continue;
                    }
                    JobStatus s;
                    try {
                        s = EventCodec.fromJson(r.value(), JobStatus.class);
                    } catch (ContractException e) {
                        continue;
                    }
                    render(s);
                    if (s.state() == JobStatus.State.FAILED || (s.terminal() && stage.equals(s.stage()))) {
                        System.err.println();
                        Json.print(s);
                        return s.state() == JobStatus.State.SUCCEEDED ? 0 : 1;
                    }
                }
            }
        }
        System.err.println();
        System.err.println("error: job " + jobId + " did not end within " + timeoutSeconds + " s");
        return 3;
    }

    private static JobStatus parse(String json) {
        try {
            return EventCodec.fromJson(json, JobStatus.class);
        } catch (ContractException e) {
            return null;
        }
    }

    private static void render(JobStatus s) {
        String bar = "";
        if (s.done() != null && s.total() != null && s.total() > 0) {
            int width = 30;
            int filled = (int) Math.min(width, s.done() * width / s.total());
            bar = "[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + s.done() + "/" + s.total() + " ";
        }
        String msg = s.message() == null ? "" : s.message();
        System.err.printf("\r%-10s %-9s %s%-60.60s", s.stage(), s.state(), bar, msg);
        System.err.flush();
    }
}
