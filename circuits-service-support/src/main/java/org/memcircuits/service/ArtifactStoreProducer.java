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
        ArtifactStore store = new ArtifactStore(
                new StorageConfig(s.endpoint(), s.accessKey(), s.secretKey(), s.region(), s.bucket()));
        store.ensureBucket();
        return store;
    }

    void close(@Disposes ArtifactStore store) {
        store.close();
    }
}
