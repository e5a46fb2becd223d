package org.memcircuits.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.memcircuits.InvalidInputException;
import org.memcircuits.model.ModelPreset;
import org.memcircuits.model.RandomCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "init-model", description = "Write a randomly initialised checkpoint (config, safetensors, GPT-2 tokenizer).")
final class InitModelCommand implements Callable<Integer> {
    @Option(names = "--preset", required = true, paramLabel = "P", description = "gpt-neo-125m, gpt2-small or tiny.")
    String preset;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Random seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created).")
    Path out;

    @Override
    public Integer call() throws IOException {
        ModelPreset p = ModelPreset.byId(preset);
        if (Files.exists(out.resolve("model.safetensors"))) {
            throw new InvalidInputException(out + ": already holds a model.safetensors; choose an empty directory");
        }
        RandomCheckpoint.write(p.config(), seed, out);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("preset", p.id);
        r.put("seed", seed);
        r.put("out", out.toAbsolutePath().toString());
        Json.print(r);
        return 0;
    }
}
