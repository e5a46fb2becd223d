package org.memcircuits.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Model references: a checkpoint directory, or {@code builtin:PRESET} (seed 0), which is built on
 * first use under {@code $CIRCUITS_HOME/models} (default {@code ~/.cache/memorization-circuits}).
 * No weights are ever downloaded.
 */
public final class BuiltinModels {
    public static final String PREFIX = "builtin:";
    public static final String DEFAULT = "builtin:tiny";

    private BuiltinModels() {}

    public static Path home() {
        String env = System.getenv("CIRCUITS_HOME");
        return env != null && !env.isBlank()
                ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "memorization-circuits");
    }

    /** Resolves a model reference to a checkpoint directory, building a built-in one if needed. */
    public static Path resolve(String ref) {
        if (!ref.startsWith(PREFIX)) {
            return Path.of(ref);
        }
        ModelPreset preset = ModelPreset.byId(ref.substring(PREFIX.length()));
        Path dir = home().resolve("models").resolve(preset.id + "-seed0");
        if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
            return dir;
        }
        try {
            Files.createDirectories(dir.getParent());
            // Built beside, then renamed: concurrent first uses never see half a checkpoint.
            Path tmp = Files.createTempDirectory(dir.getParent(), preset.id + ".building-");
            RandomCheckpoint.write(preset.config(), 0, tmp);
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                deleteTree(tmp);
            } catch (IOException e) {
                if (!Files.isRegularFile(dir.resolve("model.safetensors"))) {
                    throw e;
                }
                deleteTree(tmp);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build " + ref + " under " + dir.getParent(), e);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
