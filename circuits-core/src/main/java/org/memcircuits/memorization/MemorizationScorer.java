package org.memcircuits.memorization;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import org.memcircuits.InvalidInputException;
import org.memcircuits.contracts.ScoreRecord;
import org.memcircuits.contracts.ScoreStats;
import org.memcircuits.model.Batch;
import org.memcircuits.model.Checkpoint;
import org.memcircuits.model.GreedyGenerator;
import org.memcircuits.tokenizer.Gpt2Tokenizer;

/**
 * Exact-match memorization: the first P tokens of a document are continued greedily for G tokens
 * (exactly G, never stopping at EOS), and the score is the fraction of the G positions where the
 * generated token equals the document's own. Documents shorter than P+G tokens are skipped and
 * counted, never padded (the original padded them with EOS, which scores padding as text). No BOS
 * is added, as in the original scoring.
 */
public final class MemorizationScorer {
    /** A document's text and its index in the corpus (null text = an invalid record, counted). */
    public record Document(long index, String text) {}

    @FunctionalInterface
    public interface Progress {
        void documents(long done);
    }

    private final Gpt2Tokenizer tokenizer;
    private final GreedyGenerator generator;
    private final int promptTokens;
    private final int generationTokens;
    private final int batchSize;

    public MemorizationScorer(Checkpoint checkpoint, int promptTokens, int generationTokens, int batchSize) {
        if (promptTokens < 1 || generationTokens < 1 || batchSize < 1) {
            throw new InvalidInputException("prompt tokens, generation tokens and batch size must be positive, got "
                    + promptTokens + ", " + generationTokens + ", " + batchSize);
        }
        if (promptTokens + generationTokens > checkpoint.config().maxPositions()) {
            throw new InvalidInputException("prompt + generation tokens (" + (promptTokens + generationTokens)
                    + ") exceed the model's max_position_embeddings " + checkpoint.config().maxPositions());
        }
        this.tokenizer = checkpoint.tokenizer();
        this.generator = new GreedyGenerator(checkpoint.model());
        this.promptTokens = promptTokens;
        this.generationTokens = generationTokens;
        this.batchSize = batchSize;
    }

    /** Adapts any record iterator (a corpus reader) to documents. */
    public static <T> Iterator<Document> documents(Iterator<T> records, java.util.function.ToLongFunction<T> index,
            java.util.function.Function<T, String> text) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return records.hasNext();
            }

            @Override
            public Document next() {
                T r = records.next();
                return new Document(index.applyAsLong(r), text.apply(r));
            }
        };
    }

    /** Scores every document into a JSONL file of {@link ScoreRecord}s, in corpus order. */
    public ScoreStats scoreToJsonl(Iterator<Document> documents, java.nio.file.Path out, Progress progress)
            throws java.io.IOException {
        com.fasterxml.jackson.databind.ObjectWriter json = org.memcircuits.contracts.EventCodec.mapper().writer();
        try (java.io.BufferedWriter w = java.nio.file.Files.newBufferedWriter(out, java.nio.charset.StandardCharsets.UTF_8)) {
            return score(documents, r -> {
                try {
                    w.write(json.writeValueAsString(r));
                    w.write('\n');
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, progress);
        }
    }

    /** Scores every document, handing records to {@code sink} in corpus order. */
    public ScoreStats score(Iterator<Document> documents, Consumer<ScoreRecord> sink, Progress progress) {
        ScoreStats stats = ScoreStats.empty(generationTokens);
        List<Document> pending = new ArrayList<>();
        List<long[]> pendingIds = new ArrayList<>();
        long seen = 0;
        long skippedShort = 0;
        long skippedInvalid = 0;
        while (documents.hasNext()) {
            Document d = documents.next();
            seen++;
            if (d.text() == null || d.text().isEmpty()) {
                skippedInvalid++;
                continue;
            }
            long[] ids = firstTokens(d.text(), promptTokens + generationTokens);
            if (ids.length < promptTokens + generationTokens) {
                skippedShort++;
                continue;
            }
            pending.add(d);
            pendingIds.add(ids);
            if (pending.size() == batchSize) {
                stats = stats.plus(scoreBatch(pending, pendingIds, sink));
                pending.clear();
                pendingIds.clear();
                progress.documents(seen);
            }
        }
        if (!pending.isEmpty()) {
            stats = stats.plus(scoreBatch(pending, pendingIds, sink));
        }
        progress.documents(seen);
        return stats.plus(new ScoreStats(seen, 0, skippedShort, skippedInvalid, new long[generationTokens + 1], 0));
    }

    private ScoreStats scoreBatch(List<Document> docs, List<long[]> ids, Consumer<ScoreRecord> sink) {
        long[][] prompts = new long[docs.size()][];
        for (int i = 0; i < docs.size(); i++) {
            prompts[i] = Arrays.copyOf(ids.get(i), promptTokens);
        }
        long[][] generated = generator.generate(Batch.of(prompts), generationTokens, false);
        long[] histogram = new long[generationTokens + 1];
        for (int i = 0; i < docs.size(); i++) {
            long[] truth = Arrays.copyOfRange(ids.get(i), promptTokens, promptTokens + generationTokens);
            int matches = 0;
            for (int k = 0; k < generationTokens; k++) {
                if (generated[i][k] == truth[k]) {
                    matches++;
                }
            }
            histogram[matches]++;
            sink.accept(new ScoreRecord(docs.get(i).index(), prompts[i], tokenizer.decode(prompts[i], true), generated[i],
                    tokenizer.decode(generated[i], true), truth, tokenizer.decode(truth, true),
                    (double) matches / generationTokens));
        }
        return new ScoreStats(0, docs.size(), 0, 0, histogram, (long) docs.size() * generationTokens);
    }

    /**
     * The first {@code n} tokens of a text without tokenizing all of it (Pile documents can be
     * megabytes). Tokenization of a character prefix differs from the full text's only in the last
     * pre-tokenizer chunk, so a prefix that yields at least n+2 tokens gives the same first n.
     */
    long[] firstTokens(String text, int n) {
        int chars = Math.max(256, n * 8);
        while (true) {
            boolean whole = chars >= text.length();
            long[] ids = tokenizer.encode(whole ? text : text.substring(0, safeCut(text, chars)));
            if (whole) {
                return ids.length > n ? Arrays.copyOf(ids, n) : ids;
            }
            if (ids.length >= n + 2) {
                return Arrays.copyOf(ids, n);
            }
            chars *= 2;
        }
    }

    /** Never cut a surrogate pair in half. */
    private static int safeCut(String s, int at) {
        return Character.isHighSurrogate(s.charAt(at - 1)) ? at - 1 : at;
    }
}
