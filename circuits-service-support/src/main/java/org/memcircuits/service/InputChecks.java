package org.memcircuits.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.memcircuits.InvalidInputException;
import org.memcircuits.artifacts.ArtifactException;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.model.BuiltinModels;
import org.memcircuits.model.ModelPreset;

/**
 * Up-front checks of a request's inputs, each failure naming the field: artifacts only in the
 * buckets this service may read, models only {@code builtin:} or under the configured roots.
 */
@ApplicationScoped
public class InputChecks {
    private final ArtifactStore store;
    private final List<String> buckets;
    private final List<Path> modelRoots;

    @Inject
    public InputChecks(ArtifactStore store, StorageSettings storage, ModelSettings models) {
        this(store, storage.readableBuckets(), models.roots().orElse(List.of()));
    }

    /** With the buckets and model roots given directly (the CLI or a test; the service reads its settings). */
    public InputChecks(ArtifactStore store, List<String> buckets, List<Path> modelRoots) {
        this.store = store;
        this.buckets = List.copyOf(buckets);
        this.modelRoots = modelRoots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    }

    /**
     * The referenced artifact is in an allowed bucket and exists, complete, with the digest and size
     * the request names, however it was uploaded (objects without our digest metadata are read once
     * and their digest remembered; see {@link ArtifactStore#verify}).
     */
    public void artifact(ArtifactRef ref, String field) {
        bucket(ref, field);
        try {
            store.verify(ref);
        } catch (ArtifactException e) {
            if (e.kind() == ArtifactException.Kind.NOT_FOUND || e.kind() == ArtifactException.Kind.MISMATCH) {
                throw new InvalidInputException(field + ": " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** The reference names a bucket this service may read; nothing is read to decide. */
    public void bucket(ArtifactRef ref, String field) {
        if (!buckets.contains(ref.bucket())) {
            throw new InvalidInputException(field + ": bucket '" + ref.bucket() + "' of " + ref.uri()
                    + " is not one this service may read (allowed: " + buckets + "; set S3_ALLOWED_BUCKETS to widen)");
        }
    }

    /**
     * A built-in preset, or a checkpoint directory (config.json and model.safetensors) under one of
     * the configured model roots. The path is checked against the roots before the file system is
     * touched, and again after links are resolved.
     */
    public void model(String model) {
        if (model.startsWith(BuiltinModels.PREFIX)) {
            ModelPreset.byId(model.substring(BuiltinModels.PREFIX.length()));
            return;
        }
        Path dir;
        try {
            dir = Path.of(model).toAbsolutePath().normalize();
        } catch (RuntimeException e) {
            throw new InvalidInputException("model: '" + Bounded.text(model, 200) + "' is not a path or builtin:PRESET");
        }
        if (!under(dir, modelRoots)) {
            throw new InvalidInputException("model: " + Bounded.text(model, 200) + " is not builtin:PRESET and not under a model root"
                    + " of this service (" + (modelRoots.isEmpty() ? "none configured" : modelRoots.toString())
                    + "; the operator sets CIRCUITS_MODEL_ROOTS)");
        }
        try {
            Path real = dir.toRealPath();
            List<Path> realRoots = modelRoots.stream().filter(Files::isDirectory).map(InputChecks::real).toList();
            if (!under(real, realRoots)) {
                throw new InvalidInputException("model: " + model + " leads outside the model roots " + modelRoots);
            }
        } catch (IOException e) {
            throw new InvalidInputException("model: " + model + " does not exist on this replica");
        }
        if (!Files.isRegularFile(dir.resolve("config.json")) || !Files.isRegularFile(dir.resolve("model.safetensors"))) {
            throw new InvalidInputException("model: " + model
                    + " is not a checkpoint directory (config.json and model.safetensors) on this replica");
        }
    }

    private static boolean under(Path p, List<Path> roots) {
        return roots.stream().anyMatch(p::startsWith);
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }
}
