package org.memcircuits.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import org.memcircuits.InvalidInputException;
import org.memcircuits.model.Batch;
import org.memcircuits.model.Checkpoint;
import org.memcircuits.model.GreedyGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "generate", description = "Greedy continuation: {\"ids\":[prompt+new], \"generated\":[new], \"text\":\"...\"}.")
final class GenerateCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    InputOptions input;

    @Option(names = "--new-tokens", defaultValue = "50", paramLabel = "N", description = "Tokens to generate (exactly N). Default: ${DEFAULT-VALUE}.")
    int newTokens;

    @Option(names = "--stop-at-eos", description = "Stop at <|endoftext|> (later positions are filled with it).")
    boolean stopAtEos;

    @Override
    public Integer call() {
        if (newTokens < 1) {
            throw new InvalidInputException("--new-tokens must be at least 1, got " + newTokens);
        }
        try (Checkpoint ckpt = model.load()) {
            long[] ids = input.ids(ckpt);
            long[] gen = new GreedyGenerator(ckpt.model()).generate(Batch.of(ids), newTokens, stopAtEos)[0];
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ids", LongStream.concat(LongStream.of(ids), LongStream.of(gen)).toArray());
            out.put("generated", gen);
            out.put("text", ckpt.hasTokenizer() ? ckpt.tokenizer().decode(gen, false) : null);
            Json.print(out);
        }
        return 0;
    }
}
