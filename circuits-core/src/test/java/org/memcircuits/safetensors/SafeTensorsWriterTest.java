package org.memcircuits.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memcircuits.engine.Djl;

class SafeTensorsWriterTest {

    /** Artifacts are compared by digest across replicas: the same content must give the same bytes. */
    @Test
    void metadataOrderDoesNotChangeTheFile(@TempDir Path dir) throws Exception {
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("format", "pt");
        ab.put("layout", "x");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("layout", "x");
        ba.put("format", "pt");
        try (NDManager m = Djl.newManager()) {
            Map<String, NDArray> t = new LinkedHashMap<>();
            t.put("w", m.create(new float[] {1, 2, 3}));
            SafeTensorsWriter.write(dir.resolve("a.safetensors"), t, ab);
            SafeTensorsWriter.write(dir.resolve("b.safetensors"), t, ba);
        }
        assertThat(Files.readAllBytes(dir.resolve("a.safetensors"))).isEqualTo(Files.readAllBytes(dir.resolve("b.safetensors")));
    }
}
