package org.memcircuits.model;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.memcircuits.InvalidInputException;
import org.memcircuits.safetensors.SafeTensorsFile;
import org.memcircuits.tokenizer.Gpt2Tokenizer;

/**
 * A Hugging Face-style checkpoint directory: {@code config.json}, {@code model.safetensors} and
 * tokenizer files. The tokenizer is optional (fixtures work on ids); asking for a missing one is an
 * error that names the directory.
 */
public final class Checkpoint implements AutoCloseable {
    private final Path dir;
    private final GptModel model;
    private final Gpt2Tokenizer tokenizer;

    private Checkpoint(Path dir, GptModel model, Gpt2Tokenizer tokenizer) {
        this.dir = dir;
        this.model = model;
        this.tokenizer = tokenizer;
    }

    public static Checkpoint load(Path dir) {
        return load(dir, DataType.FLOAT32);
    }

    public static Checkpoint load(Path dir, DataType dataType) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException(dir + ": model directory not found");
        }
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        Path weights = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(weights)) {
            if (Files.isRegularFile(dir.resolve("pytorch_model.bin"))) {
                throw new InvalidInputException(dir + ": only pytorch_model.bin found; it is refused because pickle files"
                        + " can execute arbitrary code when loaded. Convert it once with Python: "
                        + "AutoModelForCausalLM.from_pretrained(DIR).save_pretrained(DIR, safe_serialization=True)"
                        + " (writes model.safetensors)");
            }
            if (Files.isRegularFile(dir.resolve("model.safetensors.index.json"))) {
                throw new InvalidInputException(dir + ": sharded safetensors are not supported yet; merge the shards"
                        + " into one model.safetensors");
            }
            throw new InvalidInputException(dir + ": model.safetensors not found");
        }
        GptModel model = GptModel.load(SafeTensorsFile.open(weights), config, dataType);
        try {
            Gpt2Tokenizer tok = Gpt2Tokenizer.presentIn(dir) ? Gpt2Tokenizer.load(dir) : null;
            return new Checkpoint(dir, model, tok);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    public Path dir() {
        return dir;
    }

    public GptModel model() {
        return model;
    }

    public ModelConfig config() {
        return model.config();
    }

    public boolean hasTokenizer() {
        return tokenizer != null;
    }

    public Gpt2Tokenizer tokenizer() {
        if (tokenizer == null) {
            throw new InvalidInputException(dir + ": no tokenizer (expected tokenizer.json, or vocab.json and merges.txt);"
                    + " pass token ids instead of text");
        }
        return tokenizer;
    }

    @Override
    public void close() {
        model.close();
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
