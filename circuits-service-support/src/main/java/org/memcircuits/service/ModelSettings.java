package org.memcircuits.service;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Where a replica may load checkpoints from. */
@ConfigMapping(prefix = "circuits.models")
public interface ModelSettings {
    /**
     * Directories under which requests may name checkpoint directories (CIRCUITS_MODEL_ROOTS,
     * comma-separated). Without any, only {@code builtin:} models are accepted, so a request can
     * never make a replica look at its file system.
     */
    Optional<List<Path>> roots();
}
