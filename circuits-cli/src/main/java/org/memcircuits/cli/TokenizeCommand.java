package org.memcircuits.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import org.memcircuits.model.BuiltinModels;
import org.memcircuits.tokenizer.Gpt2Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "tokenize", description = "Token ids of a text: {\"ids\":[...]}.")
final class TokenizeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--text", required = true, paramLabel = "T", description = "The text.")
    String text;

    @Override
    public Integer call() {
        // Only the tokenizer is needed; do not map the weights.
        try (Gpt2Tokenizer tok = Gpt2Tokenizer.load(BuiltinModels.resolve(model.model))) {
            Json.print(Map.of("ids", tok.encode(text)));
        }
        return 0;
    }
}
