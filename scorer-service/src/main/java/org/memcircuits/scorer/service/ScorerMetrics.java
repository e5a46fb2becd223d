package org.memcircuits.scorer.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import org.memcircuits.service.FailureMeters;

/**
 * The stage's meters, registered at start-up so dashboards see zeros before the first job. A
 * {@code @Singleton}, not a proxied scope: callers read its fields directly.
 */
@Singleton
@Startup
public class ScorerMetrics {
    public final Counter documentsScored;
    public final Counter documentsSkipped;
    public final Counter tokensGenerated;
    public final Counter shardsScored;
    public final Counter failures;
    public final Counter deadLettered;
    public final Timer shardDuration;
    public final Timer jobDuration;

    public ScorerMetrics(MeterRegistry registry) {
        documentsScored = Counter.builder("circuits.scorer.documents.scored").description("Documents scored").register(registry);
        documentsSkipped = Counter.builder("circuits.scorer.documents.skipped")
                .description("Documents skipped (shorter than prompt+generation, or invalid)").register(registry);
        tokensGenerated = Counter.builder("circuits.scorer.tokens.generated")
                .description("Tokens generated; its rate is tokens per second").register(registry);
        shardsScored = Counter.builder("circuits.scorer.shards.scored").register(registry);
        failures = Counter.builder("circuits.scorer.failures").description("Events that failed").register(registry);
        deadLettered = Counter.builder("circuits.scorer.dead.lettered").description("Records sent to a dead-letter topic")
                .register(registry);
        shardDuration = Timer.builder("circuits.scorer.shard.duration").description("Time to score one shard")
                .register(registry);
        jobDuration = Timer.builder("circuits.stage.duration").tag("stage", "score")
                .description("Time from the first shard to the merged result").register(registry);
    }

    public FailureMeters failureMeters() {
        return new FailureMeters(failures, deadLettered);
    }
}
