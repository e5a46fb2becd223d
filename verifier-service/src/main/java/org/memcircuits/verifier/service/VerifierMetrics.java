package org.memcircuits.verifier.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;

/** The stage's meters, registered at start-up; a {@code @Singleton} so callers read fields directly. */
@Singleton
@Startup
public class VerifierMetrics {
    public final Counter circuitsEvaluated;
    public final Counter betterThanRandom;
    public final Counter failures;
    public final Counter deadLettered;
    public final Timer jobDuration;

    public VerifierMetrics(MeterRegistry registry) {
        circuitsEvaluated = Counter.builder("circuits.verifier.edge.counts.evaluated")
                .description("Edge counts evaluated (each with its random circuits)").register(registry);
        betterThanRandom = Counter.builder("circuits.verifier.better.than.random")
                .description("Edge counts whose circuit beat the random mean by the margin").register(registry);
        failures = Counter.builder("circuits.verifier.failures").register(registry);
        deadLettered = Counter.builder("circuits.verifier.dead.lettered").register(registry);
        jobDuration = Timer.builder("circuits.stage.duration").tag("stage", "verify").register(registry);
    }
}
