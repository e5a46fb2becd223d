package org.memcircuits.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memcircuits.InvalidInputException;
import org.memcircuits.TestModels;

/** Every kind of broken checkpoint gets an error naming the file and field, never a crash or hang. */
class CheckpointErrorsTest {
    private static Path copyFixture(Path to) throws IOException {
        Path src = TestModels.fixture("tiny-gpt-neo");
        Files.createDirectories(to);
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            Files.copy(src.resolve(f), to.resolve(f));
        }
        return to;
    }

    @Test
    void missingDirectoryAndConfig(@TempDir Path tmp) {
        assertThatThrownBy(() -> Checkpoint.load(tmp.resolve("nope")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("model directory not found");
        assertThatThrownBy(() -> Checkpoint.load(tmp))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("config.json not found");
    }

    @Test
    void pickleCheckpointIsRefusedWithAReason(@TempDir Path tmp) throws IOException {
        Path dir = copyFixture(tmp.resolve("m"));
        Files.delete(dir.resolve("model.safetensors"));
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> Checkpoint.load(dir))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("pytorch_model.bin")
                .hasMessageContaining("arbitrary code")
                .hasMessageContaining("safetensors");
    }

    @Test
    void unknownModelTypeAndBadFields(@TempDir Path tmp) throws IOException {
        Path dir = copyFixture(tmp.resolve("m"));
        String cfg = Files.readString(dir.resolve("config.json"));
        Files.writeString(dir.resolve("config.json"), cfg.replace("\"gpt_neo\"", "\"llama\""));
        assertThatThrownBy(() -> Checkpoint.load(dir))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("model_type 'llama'");
        Files.writeString(dir.resolve("config.json"), cfg.replace("\"hidden_size\": 16", "\"hidden_size\": -3"));
        assertThatThrownBy(() -> Checkpoint.load(dir))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'hidden_size'");
    }

    @Test
    void shapesThatDoNotMatchTheConfig(@TempDir Path tmp) throws IOException {
        Path dir = copyFixture(tmp.resolve("m"));
        String cfg = Files.readString(dir.resolve("config.json"));
        Files.writeString(dir.resolve("config.json"), cfg.replace("\"vocab_size\": 101", "\"vocab_size\": 50257"));
        assertThatThrownBy(() -> Checkpoint.load(dir))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("transformer.wte.weight")
                .hasMessageContaining("config.json implies");
    }

    @Test
    void truncatedSafetensors(@TempDir Path tmp) throws IOException {
        Path dir = copyFixture(tmp.resolve("m"));
        byte[] all = Files.readAllBytes(dir.resolve("model.safetensors"));
        Files.write(dir.resolve("model.safetensors"), java.util.Arrays.copyOf(all, all.length - 100));
        assertThatThrownBy(() -> Checkpoint.load(dir))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining("truncated");
        Files.write(dir.resolve("model.safetensors"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> Checkpoint.load(dir))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("truncated");
    }

    @Test
    void headerLargerThanTheFile(@TempDir Path tmp) throws IOException {
        Path dir = copyFixture(tmp.resolve("m"));
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(1_000_000L).put("{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("model.safetensors"), b.array());
        assertThatThrownBy(() -> Checkpoint.load(dir))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("header length 1000000");
    }

    @Test
    void missingTensor(@TempDir Path tmp) throws IOException {
        Path dir = copyFixture(tmp.resolve("m"));
        // Four layers in the config, three in the file.
        com.fasterxml.jackson.databind.ObjectMapper om = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode cfg =
                (com.fasterxml.jackson.databind.node.ObjectNode) om.readTree(dir.resolve("config.json").toFile());
        cfg.put("num_layers", 4);
        cfg.remove("attention_types");
        cfg.putArray("attention_layers").add("global").add("local").add("global").add("global");
        om.writeValue(dir.resolve("config.json").toFile(), cfg);
        assertThatThrownBy(() -> Checkpoint.load(dir))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("tensor 'transformer.h.3.")
                .hasMessageContaining("missing");
    }
}
