package org.memcircuits.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.memcircuits.InvalidInputException;
import org.memcircuits.contracts.ScoreRecord;
import org.memcircuits.contrastive.BranchDecision;
import org.memcircuits.contrastive.CheckpointContrastiveModel;
import org.memcircuits.contrastive.ContrastiveFiles;
import org.memcircuits.contrastive.ContrastivePair;
import org.memcircuits.contrastive.ContrastiveSummary;
import org.memcircuits.contrastive.DivergenceRecord;
import org.memcircuits.contrastive.DivergenceSearch;
import org.memcircuits.contrastive.MemorizationDecision;
import org.memcircuits.contrastive.ScoreRecords;
import org.memcircuits.contrastive.Similarity;
import org.memcircuits.model.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Stage 2 locally: the contrastive datasets circuit discovery reads, from the scores JSONL.
 * {@code divergence}: the branch-decision dataset and the divergence side file; {@code dataset}: the
 * memorization-decision dataset, at the branch positions of {@code --divergence} when given, else
 * by greedy one-to-one matching of whole contexts. Every filter is counted in {@code summary.json}.
 */
@Command(name = "contrastive", description = "Contrastive datasets (branch decision or memorization decision) from scores.")
final class ContrastiveCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--scores", required = true, paramLabel = "FILE.jsonl", description = "Scores from `circuits score`.")
    Path scores;

    @Option(names = "--mode", required = true, paramLabel = "MODE",
            description = "divergence (branch decision: clean/corrupt differ in the token at the branch) or dataset "
                    + "(memorization decision: memorized vs unmemorized contexts).")
    String mode;

    @Option(names = "--divergence", paramLabel = "FILE.jsonl",
            description = "Dataset mode: divergence.jsonl from a divergence run; pairs are then made at the branch position.")
    Path divergence;

    @Option(names = "--threshold", defaultValue = "0.75", description = "Memorized: score >= this. Default: ${DEFAULT-VALUE}.")
    double threshold;

    @Option(names = "--similarity", defaultValue = "embedding",
            description = "Dataset mode: embedding (cosine of mean last hidden states) or jaccard (token-id sets). Default: ${DEFAULT-VALUE}.")
    String similarity;

    @Option(names = "--filter-length-mismatch",
            description = "Drop pairs whose clean and corrupt tokenize to different lengths (kept and counted by default).")
    boolean filterLengthMismatch;

    @Option(names = "--batch-size", defaultValue = "32", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--max-pairs", defaultValue = "1000",
            description = "Dataset mode without --divergence: memorized records considered. Default: ${DEFAULT-VALUE}.")
    int maxPairs;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Writes contrastive_<mode>.json, divergence.jsonl (divergence mode) and summary.json.")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (!mode.equals("divergence") && !mode.equals("dataset")) {
            throw new InvalidInputException("--mode: unknown value '" + mode + "' (expected divergence or dataset)");
        }
        if (!(threshold > 0 && threshold <= 1)) {
            throw new InvalidInputException("--threshold: must be in (0, 1], got " + threshold);
        }
        if (batchSize < 1) {
            throw new InvalidInputException("--batch-size: must be positive, got " + batchSize);
        }
        if (maxPairs < 0) {
            throw new InvalidInputException("--max-pairs: must be >= 0, got " + maxPairs);
        }
        if (divergence != null && mode.equals("divergence")) {
            throw new InvalidInputException("--divergence: only used with --mode dataset (divergence mode writes it)");
        }
        Similarity sim = Similarity.parse(similarity);
        if (!Files.isRegularFile(scores)) {
            throw new InvalidInputException(scores + ": scores file not found");
        }
        if (divergence != null && !Files.isRegularFile(divergence)) {
            throw new InvalidInputException(divergence + ": divergence file not found");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new InvalidInputException("--out: " + out + " exists and is not a directory");
        }
        ContrastiveSummary summary = new ContrastiveSummary(mode);
        summary.put("scores", scores.toAbsolutePath().toString());
        summary.put("threshold", threshold);
        summary.put("filter_length_mismatch", filterLengthMismatch);
        Map<String, Object> files = new LinkedHashMap<>();
        Path promptsFile = out.resolve("contrastive_" + mode + ".json");
        boolean divergenceMode = mode.equals("divergence");
        // Inputs are read and checked before the model is loaded: bad input fails fast.
        List<DivergenceRecord> rows = divergence == null ? null : ContrastiveFiles.readDivergence(divergence);
        List<ScoreRecord> records = ScoreRecords.readUnique(scores, divergenceMode
                ? ScoreRecords.Selection.memorized(threshold)
                : ScoreRecords.Selection.highOrLow(threshold, 0.0), summary);
        List<ContrastivePair> prompts;
        try (Checkpoint ckpt = model.load()) {
            checkVocabulary(records, ckpt.config().vocabSize());
            CheckpointContrastiveModel cm = new CheckpointContrastiveModel(ckpt.model(), ckpt.tokenizer(), batchSize, true);
            if (divergenceMode) {
                DivergenceSearch.Outcome o = new DivergenceSearch(cm, batchSize, DivergenceSearch.DEFAULT_DROP_THRESHOLD)
                        .run(ScoreRecords.byScoreDescending(records),
                                (done, total) -> System.err.printf("\rdivergence search: %d/%d samples", done, total));
                System.err.println();
                summary.put("drop_threshold", DivergenceSearch.DEFAULT_DROP_THRESHOLD);
                summary.put("rows_generated", o.rowsGenerated());
                summary.put("tokens_generated", o.tokensGenerated());
                BranchDecision.Result r = BranchDecision.build(o.samples(), ckpt.tokenizer(), filterLengthMismatch, summary);
                prompts = r.prompts();
                Files.createDirectories(out);
                Path side = out.resolve("divergence.jsonl");
                ContrastiveFiles.writeDivergence(side, r.divergence());
                files.put("divergence", side.toAbsolutePath().toString());
            } else {
                MemorizationDecision.Options opts = new MemorizationDecision.Options(threshold, 0.0,
                        MemorizationDecision.DEFAULT_MIN_SCORE_BEFORE, sim, filterLengthMismatch, maxPairs, batchSize);
                if (rows != null) {
                    summary.put("divergence", divergence.toAbsolutePath().toString());
                    prompts = MemorizationDecision.withDivergence(records, rows, cm, ckpt.tokenizer(), opts, summary);
                } else {
                    prompts = MemorizationDecision.withoutDivergence(records, cm, ckpt.tokenizer(), opts, summary);
                }
                Files.createDirectories(out);
            }
        }
        ContrastiveFiles.writePrompts(promptsFile, prompts);
        Path summaryFile = out.resolve("summary.json");
        ContrastiveFiles.writeSummary(summaryFile, summary);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("prompts", promptsFile.toAbsolutePath().toString());
        r.putAll(files);
        r.put("summary", summaryFile.toAbsolutePath().toString());
        r.put("pairs", prompts.size());
        r.put("stats", summary.toMap());
        Json.print(r);
        return 0;
    }

    private void checkVocabulary(List<ScoreRecord> records, int vocab) {
        for (ScoreRecord r : records) {
            for (long[] ids : new long[][] {r.context(), r.trueCompletion(), r.completion()}) {
                for (long id : ids) {
                    if (id >= vocab) {
                        throw new InvalidInputException(scores + ": document " + r.document() + " holds token id " + id
                                + ", outside the model's vocabulary [0, " + vocab + "): were the scores made with another model?");
                    }
                }
            }
        }
    }
}
