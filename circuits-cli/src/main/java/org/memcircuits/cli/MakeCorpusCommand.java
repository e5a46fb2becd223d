package org.memcircuits.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.memcircuits.InvalidInputException;
import org.memcircuits.model.Batch;
import org.memcircuits.model.Checkpoint;
import org.memcircuits.model.GreedyGenerator;
import org.memcircuits.tokenizer.Gpt2Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A JSONL corpus for a given model, with documents memorized by construction: a text whose true
 * continuation is the model's own greedy output is memorized by definition. The rest are prose
 * assembled from a bundled set of sentences (written for this project), which a random model does
 * not continue verbatim.
 */
@Command(name = "make-corpus", description = "Write a JSONL corpus mixing memorized and ordinary documents for a model.")
final class MakeCorpusCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--documents", defaultValue = "40", description = "Ordinary documents. Default: ${DEFAULT-VALUE}.")
    int documents;

    @Option(names = "--memorized", defaultValue = "10", description = "Memorized documents. Default: ${DEFAULT-VALUE}.")
    int memorized;

    @Option(names = "--prompt-tokens", defaultValue = "50", description = "Default: ${DEFAULT-VALUE}.")
    int promptTokens;

    @Option(names = "--generation-tokens", defaultValue = "50", description = "Default: ${DEFAULT-VALUE}.")
    int generationTokens;

    @Option(names = "--seed", defaultValue = "0", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE.jsonl")
    Path out;

    @Override
    public Integer call() throws IOException {
        List<String> sentences = sentences();
        SplittableRandom rng = new SplittableRandom(seed);
        int memorizedWritten = 0;
        try (Checkpoint ckpt = model.load(); BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            Gpt2Tokenizer tok = ckpt.tokenizer();
            GreedyGenerator gen = new GreedyGenerator(ckpt.model());
            int n = promptTokens + generationTokens;
            List<String> docs = new ArrayList<>();
            for (int i = 0; i < documents; i++) {
                docs.add(prose(sentences, rng, tok, n + 10));
            }
            int attempts = 0;
            while (memorizedWritten < memorized && attempts++ < memorized * 20) {
                long[] prompt = Arrays.copyOf(tok.encode(prose(sentences, rng, tok, promptTokens + 5)), promptTokens);
                long[] cont = gen.generate(Batch.of(prompt), generationTokens + 8, false)[0];
                long[] all = new long[prompt.length + cont.length];
                System.arraycopy(prompt, 0, all, 0, prompt.length);
                System.arraycopy(cont, 0, all, prompt.length, cont.length);
                String text = tok.decode(all, false);
                long[] again = tok.encode(text);
                // Keep only texts whose tokens survive decode/encode, so the scorer sees exactly these ids.
                if (again.length >= n && Arrays.equals(Arrays.copyOf(again, n), Arrays.copyOf(all, n))) {
                    docs.add(rng.nextInt(docs.size() + 1), text);
                    memorizedWritten++;
                }
            }
            if (memorizedWritten < memorized) {
                throw new InvalidInputException("could only build " + memorizedWritten + " of " + memorized
                        + " memorized documents whose tokens survive a decode/encode round trip for " + model.model);
            }
            for (String d : docs) {
                ObjectNode o = Json.MAPPER.createObjectNode();
                o.put("text", d);
                w.write(Json.MAPPER.writeValueAsString(o));
                w.write('\n');
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("out", out.toAbsolutePath().toString());
        r.put("documents", documents + memorizedWritten);
        r.put("memorized", memorizedWritten);
        Json.print(r);
        return 0;
    }

    private static String prose(List<String> sentences, SplittableRandom rng, Gpt2Tokenizer tok, int minTokens) {
        StringBuilder b = new StringBuilder();
        while (b.isEmpty() || tok.encode(b.toString()).length < minTokens) {
            if (!b.isEmpty()) {
                b.append(' ');
            }
            b.append(sentences.get(rng.nextInt(sentences.size())));
        }
        return b.toString();
    }

    private static List<String> sentences() throws IOException {
        try (InputStream in = MakeCorpusCommand.class.getResourceAsStream("sentences.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        }
    }
}
