package org.memcircuits.service;

import java.nio.file.Files;
import java.nio.file.Path;
import org.memcircuits.InvalidInputException;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.model.BuiltinModels;
import org.memcircuits.model.ModelPreset;

/** Up-front checks of a request's inputs, each failure naming the field. */
public final class InputChecks {
    private InputChecks() {}

    /** The referenced artifact exists, complete, with the digest and size the request names. */
    public static void artifact(ArtifactStore store, ArtifactRef ref, String field) {
        ArtifactRef stored;
        if (ref.bucket().equals(store.bucket())) {
            stored = store.find(ref.key()).orElse(null);
        } else {
            try (ArtifactStore other = new ArtifactStore(store.config().withBucket(ref.bucket()))) {
                stored = other.find(ref.key()).orElse(null);
            }
        }
        if (stored == null) {
            throw new InvalidInputException(field + ": artifact " + ref.uri() + " not found");
        }
        if (!stored.sha256().equals(ref.sha256()) || stored.size() != ref.size()) {
            throw new InvalidInputException(field + ": artifact " + ref.uri() + " has sha256 " + stored.sha256() + " and size "
                    + stored.size() + ", but the request names " + ref.sha256() + " and " + ref.size());
        }
    }

    /** A built-in preset, or a directory with config.json and model.safetensors on this replica. */
    public static void model(String model) {
        if (model.startsWith(BuiltinModels.PREFIX)) {
            ModelPreset.byId(model.substring(BuiltinModels.PREFIX.length()));
            return;
        }
        Path dir = Path.of(model);
        if (!Files.isRegularFile(dir.resolve("config.json")) || !Files.isRegularFile(dir.resolve("model.safetensors"))) {
            throw new InvalidInputException("model: " + model
                    + " is not a checkpoint directory (config.json and model.safetensors) on this replica");
        }
    }
}
