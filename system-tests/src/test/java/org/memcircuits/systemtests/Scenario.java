package org.memcircuits.systemtests;

import java.util.List;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.testing.LocalStack;

/** A bucket of its own and the services a test class runs against it, started together and closed together. */
record Scenario(ArtifactStore store, Pipeline pipeline) implements AutoCloseable {

    static Scenario start(LocalStack stack, String name, List<String> services) {
        ArtifactStore store = Artifacts.newBucket(stack.uniqueBucket(name));
        try {
            return new Scenario(store, Pipeline.start(stack, store.bucket(), name, services));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            pipeline.close();
        } finally {
            store.close();
        }
    }
}
