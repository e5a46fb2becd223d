package org.memcircuits.attribution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.memcircuits.InvalidInputException;
import org.memcircuits.tokenizer.Gpt2Tokenizer;

/**
 * A contrastive dataset as auto-circuit reads it: {@code {"prompts":[{"clean","corrupt",
 * "answers":[..],"wrong_answers":[..]}]}} (extra keys ignored). Deliberate differences from the
 * original loader: no batch is silently dropped (the last one may be smaller); clean and corrupt
 * prompts of different lengths are left-padded with an attention mask; BOS is not prepended unless
 * asked, matching how memorization was scored (the original prepended it: {@code prependBos}).
 * The split shuffles exactly as Python's {@code random} does, so a seed gives the original's split.
 */
public final class ContrastiveDataset {
    private ContrastiveDataset() {}

    public record Split(List<PromptPair> train, List<PromptPair> test) {}

    public static List<PromptPair> load(Path json, Gpt2Tokenizer tok, boolean prependBos) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json.toFile());
        } catch (IOException e) {
            throw new InvalidInputException(json + ": not valid JSON: " + e.getMessage(), e);
        }
        JsonNode prompts = root == null ? null : root.get("prompts");
        if (prompts == null || !prompts.isArray() || prompts.isEmpty()) {
            throw new InvalidInputException(json + ": expected {\"prompts\": [ {clean, corrupt, answers, wrong_answers}, ... ]}");
        }
        List<PromptPair> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            JsonNode p = prompts.get(i);
            String where = json + ": prompts[" + i + "]";
            long[] clean = ids(tok, text(p, "clean", where), prependBos);
            long[] corrupt = ids(tok, text(p, "corrupt", where), prependBos);
            out.add(new PromptPair(clean, corrupt, answers(tok, p, "answers", where), answers(tok, p, "wrong_answers", where)));
        }
        return out;
    }

    /**
     * find_circuits' split: Python's {@code random.seed(seed); random.shuffle(pairs)}, then the first
     * {@code floor(trainFraction * n)} pairs are train and the rest test.
     */
    public static Split split(List<PromptPair> pairs, double trainFraction, long seed) {
        if (trainFraction < 0 || trainFraction > 1) {
            throw new InvalidInputException("train fraction must be in [0, 1], got " + trainFraction);
        }
        return splitAt(pairs, (int) Math.floor(trainFraction * pairs.size()), seed);
    }

    /**
     * verify_circuit's split: the same shuffle, then {@code floor(testFraction * n)} test pairs
     * after the {@code n - floor(testFraction * n)} train pairs.
     */
    public static Split splitByTestFraction(List<PromptPair> pairs, double testFraction, long seed) {
        if (testFraction < 0 || testFraction > 1) {
            throw new InvalidInputException("test fraction must be in [0, 1], got " + testFraction);
        }
        return splitAt(pairs, pairs.size() - (int) Math.floor(testFraction * pairs.size()), seed);
    }

    private static Split splitAt(List<PromptPair> pairs, int train, long seed) {
        List<PromptPair> shuffled = new ArrayList<>(pairs);
        new PythonRandom(seed).shuffle(shuffled);
        return new Split(List.copyOf(shuffled.subList(0, train)), List.copyOf(shuffled.subList(train, shuffled.size())));
    }

    /** Batches of at most {@code size}; the last may be smaller (never dropped). */
    public static List<PairBatch> batches(List<PromptPair> pairs, int size, long padId) {
        List<PairBatch> out = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i += size) {
            out.add(PairBatch.of(pairs.subList(i, Math.min(pairs.size(), i + size)), padId));
        }
        return out;
    }

    private static String text(JsonNode p, String field, String where) {
        JsonNode v = p.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new InvalidInputException(where + ": field '" + field + "' must be a non-empty string");
        }
        return v.asText();
    }

    private static long[] ids(Gpt2Tokenizer tok, String text, boolean bos) {
        return tok.encode(bos ? "<|endoftext|>" + text : text);
    }

    private static long[] answers(Gpt2Tokenizer tok, JsonNode p, String field, String where) {
        JsonNode v = p.get(field);
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw new InvalidInputException(where + ": field '" + field + "' must be a non-empty list of strings");
        }
        List<Long> ids = new ArrayList<>();
        for (JsonNode a : v) {
            if (!a.isTextual() || a.asText().isEmpty()) {
                throw new InvalidInputException(where + ": field '" + field + "' must hold non-empty strings");
            }
            for (long id : tok.encode(a.asText())) {
                ids.add(id);
            }
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }
}
