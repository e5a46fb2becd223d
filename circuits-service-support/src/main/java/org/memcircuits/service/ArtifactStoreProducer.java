package org.memcircuits.service;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.artifacts.StorageConfig;

/** One S3 client per replica, closed on shutdown (its OkHttp threads would otherwise linger). */
@ApplicationScoped
public class ArtifactStoreProducer {

    @Produces
    @ApplicationScoped
    @Startup
    ArtifactStore store(StorageSettings s) {
        if (s.accessKey().isEmpty() || s.secretKey().isEmpty()) {
            // No built-in default: a service must never run on credentials someone else can read in the repository.
            throw new IllegalStateException("S3 credentials are not set: set S3_ACCESS_KEY and S3_SECRET_KEY (or "
                    + "circuits.storage.access-key and circuits.storage.secret-key) for " + s.endpoint()
                    + "; for the local stack: eval \"$(stack/local-stack.sh env)\"");
        }
        ArtifactStore store = new ArtifactStore(new StorageConfig(s.endpoint(), s.accessKey().get(), s.secretKey().get(),
                s.region(), s.bucket()));
        store.ensureBucket();
        return store;
    }

    void close(@Disposes ArtifactStore store) {
        store.close();
    }
}
