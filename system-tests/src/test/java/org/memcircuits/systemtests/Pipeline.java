package org.memcircuits.systemtests;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.memcircuits.contracts.Topics;
import org.memcircuits.testing.ConsumerGroups;
import org.memcircuits.testing.LocalStack;
import org.memcircuits.testing.ServiceProcess;

/**
 * The four packaged services, one JVM each, writing to one bucket of a stack. Started together; each can be killed and
 * restarted alone. Logs under {@code system-tests/target/services/<tag>/}.
 */
final class Pipeline implements AutoCloseable {
    static final String SCORER = "scorer-service";
    static final String CONTRASTIVE = "contrastive-service";
    static final String DISCOVERY = "discovery-service";
    static final String VERIFIER = "verifier-service";
    static final List<String> ALL = List.of(SCORER, CONTRASTIVE, DISCOVERY, VERIFIER);
    static final Duration READY = Duration.ofMinutes(3);

    /** Every consumed topic, with the consumer group that reads it. */
    static final Map<String, String> GROUPS = new LinkedHashMap<>();

    static {
        GROUPS.put(Topics.SCORE_REQUESTS, "scorer-planner");
        GROUPS.put(Topics.SCORE_SHARDS, "scorer-workers");
        GROUPS.put(Topics.SCORE_SHARDS_DONE, "scorer-merger");
        GROUPS.put(Topics.CONTRASTIVE_REQUESTS, "contrastive");
        GROUPS.put(Topics.SCORE_RESULTS, "contrastive");
        GROUPS.put(Topics.DISCOVERY_REQUESTS, "discovery");
        GROUPS.put(Topics.CONTRASTIVE_RESULTS, "discovery");
        GROUPS.put(Topics.VERIFY_REQUESTS, "verifier");
        GROUPS.put(Topics.DISCOVERY_RESULTS, "verifier");
    }

    private final LocalStack stack;
    private final String bucket;
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();

    private Pipeline(LocalStack stack, String bucket, String tag, List<String> modules, List<String> readable) {
        this.stack = stack;
        this.bucket = bucket;
        Path logs = Path.of("target/services", tag).toAbsolutePath();
        for (String m : modules) {
            ServiceProcess.Builder b = ServiceProcess.builder(m, stack).bucket(bucket).logDir(logs).workDir(logs.resolve(m + "-work"));
            if (!readable.isEmpty()) {
                List<String> all = new ArrayList<>(List.of(bucket));
                all.addAll(readable);
                b.env("S3_ALLOWED_BUCKETS", String.join(",", all)); // inputs in a bucket of their own
            }
            if (m.equals(SCORER)) {
                // progress (RUNNING "shard i/n") every 2 documents, so a test sees a shard in progress
                b.jvmArg("-Dscorer.progress-every=2");
            }
            services.put(m, b.build());
        }
    }

    /** Starts {@code modules} at the same moment and waits until every one is ready. */
    static Pipeline start(LocalStack stack, String bucket, String tag, List<String> modules) {
        return start(stack, bucket, tag, modules, List.of());
    }

    /** As {@link #start(LocalStack, String, String, List)}, the services also reading the {@code readable} buckets. */
    static Pipeline start(LocalStack stack, String bucket, String tag, List<String> modules, List<String> readable) {
        Pipeline p = new Pipeline(stack, bucket, tag, modules, readable);
        try {
            p.startAll();
        } catch (RuntimeException | AssertionError e) {
            p.close();
            throw e;
        }
        return p;
    }

    void startAll() {
        services.values().forEach(ServiceProcess::start);
        awaitAllReady();
    }

    void awaitAllReady() {
        List<CompletableFuture<?>> waits = new ArrayList<>();
        for (ServiceProcess s : services.values()) {
            waits.add(CompletableFuture.runAsync(() -> s.awaitReady(READY)));
        }
        try {
            CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof AssertionError a) {
                throw a;
            }
            throw e;
        }
    }

    ServiceProcess get(String module) {
        ServiceProcess s = services.get(module);
        if (s == null) {
            throw new IllegalArgumentException(module + " is not part of this pipeline");
        }
        return s;
    }

    Map<String, ServiceProcess> services() {
        return services;
    }

    String bucket() {
        return bucket;
    }

    /** Every service answers ready now; names the ones that do not. */
    List<String> notReady() {
        List<String> out = new ArrayList<>();
        services.forEach((m, s) -> {
            if (!s.ready()) {
                out.add(m + " (alive " + s.alive() + ")");
            }
        });
        return out;
    }

    /**
     * Waits until every consumer group of these services has committed every record that is on its topics now: all
     * that was sent before this call has been processed or dead-lettered.
     */
    void awaitQuiet(Duration timeout) {
        try (ConsumerGroups g = new ConsumerGroups(stack.kafkaBootstrap())) {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (var e : GROUPS.entrySet()) {
                if (!ownsGroup(e.getValue())) {
                    continue;
                }
                Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
                g.awaitCaughtUp(e.getValue(), e.getKey(), left);
            }
        }
    }

    private boolean ownsGroup(String group) {
        return switch (group) {
            case "scorer-planner", "scorer-workers", "scorer-merger" -> services.containsKey(SCORER);
            case "contrastive" -> services.containsKey(CONTRASTIVE);
            case "discovery" -> services.containsKey(DISCOVERY);
            default -> services.containsKey(VERIFIER);
        };
    }

    /** SIGKILL to every service at once (for services about to be discarded: no graceful shutdown to wait for). */
    void kill() {
        List<CompletableFuture<?>> kills = new ArrayList<>();
        for (ServiceProcess s : services.values()) {
            kills.add(CompletableFuture.runAsync(s::kill));
        }
        CompletableFuture.allOf(kills.toArray(CompletableFuture[]::new)).join();
    }

    @Override
    public void close() {
        List<CompletableFuture<?>> stops = new ArrayList<>();
        for (ServiceProcess s : services.values()) {
            stops.add(CompletableFuture.runAsync(s::close));
        }
        CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).join();
    }
}
