package org.memcircuits.service;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import org.memcircuits.model.BuiltinModels;
import org.memcircuits.model.Checkpoint;

/** Checkpoints loaded once per replica and kept for the JVM's life (weights are memory-mapped). */
@ApplicationScoped
public class ModelCache {
    private final Map<String, Checkpoint> loaded = new HashMap<>();

    public synchronized Checkpoint get(String modelRef) {
        return loaded.computeIfAbsent(modelRef, ref -> Checkpoint.load(BuiltinModels.resolve(ref)));
    }

    @PreDestroy
    synchronized void close() {
        loaded.values().forEach(Checkpoint::close);
        loaded.clear();
    }
}
