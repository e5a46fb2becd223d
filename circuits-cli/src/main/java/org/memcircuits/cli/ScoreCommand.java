package org.memcircuits.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.ScoreStats;
import org.memcircuits.corpus.Corpus;
import org.memcircuits.corpus.CorpusOptions;
import org.memcircuits.corpus.CorpusReader;
import org.memcircuits.corpus.Document;
import org.memcircuits.memorization.MemorizationScorer;
import org.memcircuits.model.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Stage 1 locally, no Kafka: the same scorer the service runs on each shard. */
@Command(name = "score", description = "Memorization scores of a corpus (JSONL, .zst, .gz, Parquet) as JSONL.")
final class ScoreCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--dataset", required = true, paramLabel = "FILE", description = "Corpus file.")
    Path dataset;

    @Option(names = "--text-field", defaultValue = "text", description = "Field holding the text. Default: ${DEFAULT-VALUE}.")
    String textField;

    @Option(names = "--prompt-tokens", defaultValue = "50", description = "Default: ${DEFAULT-VALUE}.")
    int promptTokens;

    @Option(names = "--generation-tokens", defaultValue = "50", description = "Default: ${DEFAULT-VALUE}.")
    int generationTokens;

    @Option(names = "--batch-size", defaultValue = "32", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--skip-invalid", description = "Skip (and count) records without a text instead of failing.")
    boolean skipInvalid;

    @Option(names = "--out", required = true, paramLabel = "FILE.jsonl", description = "Scores; FILE.summary.json beside it.")
    Path out;

    @Override
    public Integer call() throws IOException {
        CorpusOptions options = CorpusOptions.of(textField);
        if (skipInvalid) {
            options = options.skippingInvalid();
        }
        Path tmp = out.resolveSibling(out.getFileName() + ".partial");
        ScoreStats stats;
        try (Checkpoint ckpt = model.load(); CorpusReader reader = Corpus.open(dataset, options)) {
            MemorizationScorer scorer = new MemorizationScorer(ckpt, promptTokens, generationTokens, batchSize);
            stats = scorer.scoreToJsonl(MemorizationScorer.documents(reader, Document::index, Document::text), tmp,
                    done -> System.err.printf("\rscored %d documents", done));
            System.err.println();
            long invalid = reader.skipped();
            stats = stats.plus(new ScoreStats(invalid, 0, 0, invalid, new long[generationTokens + 1], 0));
        } catch (RuntimeException | IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Path summary = out.resolveSibling(stripJsonl(out.getFileName().toString()) + ".summary.json");
        Files.writeString(summary, EventCodec.toJson(stats));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("scores", out.toAbsolutePath().toString());
        r.put("summary", summary.toAbsolutePath().toString());
        r.put("stats", stats);
        Json.print(r);
        return 0;
    }

    private static String stripJsonl(String name) {
        return name.endsWith(".jsonl") ? name.substring(0, name.length() - 6) : name;
    }
}
