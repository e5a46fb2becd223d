package org.memcircuits.contrastive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.memcircuits.InvalidInputException;
import org.memcircuits.contracts.ScoreRecord;
import org.memcircuits.model.Checkpoint;

/**
 * Stage 2 end to end on one machine, the same for the command line and a service: read and select
 * the scores, build branch-decision ({@code divergence}) or memorization-decision ({@code dataset})
 * pairs, and write {@code contrastive_<mode>.json}, {@code divergence.jsonl} (divergence mode) and
 * {@code summary.json}.
 */
public final class ContrastiveRunner {
    public record Options(String mode, double threshold, Similarity similarity, boolean filterLengthMismatch, int batchSize,
            int maxPairs) {}

    public record Result(Path prompts, Path divergence, Path summary, int pairs, Map<String, Object> stats) {}

    @FunctionalInterface
    public interface Progress {
        void samples(int done, int total);
    }

    private ContrastiveRunner() {}

    public static Result run(Checkpoint ckpt, Path scores, Path divergence, Options o, Path out, Progress progress)
            throws IOException {
        boolean divergenceMode = o.mode().equals("divergence");
        ContrastiveSummary summary = new ContrastiveSummary(o.mode());
        // the file name only: replicas with other work directories must write the same summary bytes
        summary.put("scores", scores.getFileName().toString());
        summary.put("threshold", o.threshold());
        summary.put("filter_length_mismatch", o.filterLengthMismatch());
        // Inputs are read and checked before any model work: bad input fails fast.
        List<DivergenceRecord> rows = divergence == null ? null : ContrastiveFiles.readDivergence(divergence);
        List<ScoreRecord> records = ScoreRecords.readUnique(scores, divergenceMode
                ? ScoreRecords.Selection.memorized(o.threshold())
                : ScoreRecords.Selection.highOrLow(o.threshold(), 0.0), summary);
        checkVocabulary(scores, records, ckpt.config().vocabSize());
        CheckpointContrastiveModel cm = new CheckpointContrastiveModel(ckpt.model(), ckpt.tokenizer(), o.batchSize(), true);
        List<ContrastivePair> prompts;
        Path side = null;
        Files.createDirectories(out);
        if (divergenceMode) {
            DivergenceSearch.Outcome d = new DivergenceSearch(cm, o.batchSize(), DivergenceSearch.DEFAULT_DROP_THRESHOLD)
                    .run(ScoreRecords.byScoreDescending(records), progress::samples);
            summary.put("drop_threshold", DivergenceSearch.DEFAULT_DROP_THRESHOLD);
            summary.put("rows_generated", d.rowsGenerated());
            summary.put("tokens_generated", d.tokensGenerated());
            BranchDecision.Result r = BranchDecision.build(d.samples(), ckpt.tokenizer(), o.filterLengthMismatch(), summary);
            prompts = r.prompts();
            side = out.resolve("divergence.jsonl");
            ContrastiveFiles.writeDivergence(side, r.divergence());
        } else {
            MemorizationDecision.Options opts = new MemorizationDecision.Options(o.threshold(), 0.0,
                    MemorizationDecision.DEFAULT_MIN_SCORE_BEFORE, o.similarity(), o.filterLengthMismatch(), o.maxPairs(),
                    o.batchSize());
            if (rows != null) {
                summary.put("divergence", divergence.getFileName().toString());
                prompts = MemorizationDecision.withDivergence(records, rows, cm, ckpt.tokenizer(), opts, summary);
            } else {
                prompts = MemorizationDecision.withoutDivergence(records, cm, ckpt.tokenizer(), opts, summary);
            }
        }
        Path promptsFile = out.resolve("contrastive_" + o.mode() + ".json");
        ContrastiveFiles.writePrompts(promptsFile, prompts);
        Path summaryFile = out.resolve("summary.json");
        ContrastiveFiles.writeSummary(summaryFile, summary);
        return new Result(promptsFile, side, summaryFile, prompts.size(), summary.toMap());
    }

    private static void checkVocabulary(Path scores, List<ScoreRecord> records, int vocab) {
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
