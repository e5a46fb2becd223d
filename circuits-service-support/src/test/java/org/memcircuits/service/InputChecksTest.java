package org.memcircuits.service;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memcircuits.InvalidInputException;
import org.memcircuits.contracts.ArtifactRef;

/** Confinement decisions, made before anything is read (no store is needed to refuse). */
class InputChecksTest {
    private static final String SHA = "a".repeat(64);

    @Test
    void referencesOutsideTheAllowedBucketsAreRefusedNamingTheAllowList() {
        InputChecks checks = new InputChecks(null, List.of("circuits", "corpora"), List.of());
        assertThatThrownBy(() -> checks.bucket(new ArtifactRef("s3://secrets/key", SHA, 1, null), "corpus"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("corpus: bucket 'secrets'").hasMessageContaining("[circuits, corpora]");
        assertThatCode(() -> checks.bucket(new ArtifactRef("s3://corpora/key", SHA, 1, null), "corpus")).doesNotThrowAnyException();
    }

    @Test
    void withoutRootsOnlyBuiltinModelsAreAccepted() {
        InputChecks checks = new InputChecks(null, List.of("circuits"), List.of());
        assertThatCode(() -> checks.model("builtin:tiny")).doesNotThrowAnyException();
        assertThatThrownBy(() -> checks.model("/etc")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not under a model root").hasMessageContaining("none configured")
                .hasMessageNotContaining("checkpoint directory");
    }

    @Test
    void checkpointsUnderARootAreAcceptedAndEscapesAreNot(@TempDir Path tmp) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("models"));
        Path ckpt = Files.createDirectories(root.resolve("m"));
        Files.writeString(ckpt.resolve("config.json"), "{}");
        Files.writeString(ckpt.resolve("model.safetensors"), "");
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("config.json"), "{}");
        Files.writeString(outside.resolve("model.safetensors"), "");
        Files.createSymbolicLink(root.resolve("link"), outside);
        InputChecks checks = new InputChecks(null, List.of("circuits"), List.of(root));

        assertThatCode(() -> checks.model(ckpt.toString())).doesNotThrowAnyException();
        assertThatThrownBy(() -> checks.model(root + "/../outside")).hasMessageContaining("not under a model root");
        assertThatThrownBy(() -> checks.model(root.resolve("link").toString())).hasMessageContaining("leads outside");
        assertThatThrownBy(() -> checks.model(root.resolve("missing").toString())).hasMessageContaining("does not exist");
        Files.delete(ckpt.resolve("model.safetensors"));
        assertThatThrownBy(() -> checks.model(ckpt.toString())).hasMessageContaining("is not a checkpoint directory");
    }
}
