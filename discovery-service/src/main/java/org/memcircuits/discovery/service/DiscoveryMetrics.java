package org.memcircuits.discovery.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;

/** The stage's meters, registered at start-up; a {@code @Singleton} so callers read fields directly. */
@Singleton
@Startup
public class DiscoveryMetrics {
    public final Counter edgesScored;
    public final Counter igSteps;
    public final Counter searchEvaluations;
    public final Counter failures;
    public final Counter deadLettered;
    public final Timer jobDuration;

    public DiscoveryMetrics(MeterRegistry registry) {
        edgesScored = Counter.builder("circuits.discovery.edges.scored").description("Edges given an EAP-IG score").register(registry);
        igSteps = Counter.builder("circuits.discovery.ig.steps")
                .description("Integrated-gradient steps done (one batch, one mask value); its rate is steps per second")
                .register(registry);
        searchEvaluations = Counter.builder("circuits.discovery.search.evaluations")
                .description("Circuits evaluated by the minimal-circuit search").register(registry);
        failures = Counter.builder("circuits.discovery.failures").register(registry);
        deadLettered = Counter.builder("circuits.discovery.dead.lettered").register(registry);
        jobDuration = Timer.builder("circuits.stage.duration").tag("stage", "discover").register(registry);
    }
}
