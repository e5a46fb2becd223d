package org.memcircuits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.memcircuits.model.ModelPreset;
import org.memcircuits.model.RandomCheckpoint;

/** Checkpoints for tests: the committed parity fixtures and random models built once per JVM. */
public final class TestModels {
    public static final Path FIXTURES = Path.of("src/test/fixtures");
    private static Path tiny;

    private TestModels() {}

    public static Path fixture(String name) {
        return FIXTURES.resolve(name);
    }

    /** The {@code tiny} preset (GPT-Neo, 2 layers, local window 8, GPT-2 vocabulary), seed 7. */
    public static synchronized Path tinyRandom() {
        if (tiny == null) {
            try {
                Path dir = Files.createTempDirectory("tiny-model");
                RandomCheckpoint.write(ModelPreset.TINY.config(), 7, dir);
                dir.toFile().deleteOnExit();
                tiny = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return tiny;
    }
}
