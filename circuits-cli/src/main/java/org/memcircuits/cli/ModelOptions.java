package org.memcircuits.cli;

import java.nio.file.Path;
import org.memcircuits.model.BuiltinModels;
import org.memcircuits.model.Checkpoint;
import picocli.CommandLine.Option;

/** {@code --model}: a checkpoint directory or a built-in random model. */
final class ModelOptions {
    @Option(
            names = "--model",
            paramLabel = "DIR",
            defaultValue = BuiltinModels.DEFAULT,
            description = "Checkpoint directory (config.json, model.safetensors, tokenizer files) or builtin:tiny|"
                    + "gpt-neo-125m|gpt2-small (random weights, built on first use). Default: ${DEFAULT-VALUE}.")
    String model;

    Checkpoint load() {
        Path dir = BuiltinModels.resolve(model);
        return Checkpoint.load(dir);
    }
}
