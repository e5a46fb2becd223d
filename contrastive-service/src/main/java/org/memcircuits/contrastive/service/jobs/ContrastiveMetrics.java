package org.memcircuits.contrastive.service.jobs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;

/** The stage's meters, registered at start-up; a {@code @Singleton} so callers read fields directly. */
@Singleton
@Startup
public class ContrastiveMetrics {
    private final MeterRegistry registry;
    public final Counter samples;
    public final Counter pairs;
    public final Counter failures;
    public final Counter deadLettered;
    public final Timer jobDuration;

    public ContrastiveMetrics(MeterRegistry registry) {
        this.registry = registry;
        samples = Counter.builder("circuits.contrastive.samples").description("Score records selected for a job").register(registry);
        pairs = Counter.builder("circuits.contrastive.pairs").description("Contrastive pairs emitted").register(registry);
        failures = Counter.builder("circuits.contrastive.failures").register(registry);
        deadLettered = Counter.builder("circuits.contrastive.dead.lettered").register(registry);
        jobDuration = Timer.builder("circuits.stage.duration").tag("stage", "contrastive").register(registry);
    }

    /** Samples a named filter removed (one series per filter). */
    public void dropped(String filter, double count) {
        Counter.builder("circuits.contrastive.filter.dropped").tag("filter", filter)
                .description("Samples or pairs removed by each filter").register(registry).increment(count);
    }
}
