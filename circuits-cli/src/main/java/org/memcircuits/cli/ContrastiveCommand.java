package org.memcircuits.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.memcircuits.InvalidInputException;
import org.memcircuits.contrastive.ContrastiveRunner;
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
        ContrastiveRunner.Result res;
        try (Checkpoint ckpt = model.load()) {
            res = ContrastiveRunner.run(ckpt, scores, divergence, new ContrastiveRunner.Options(mode, threshold, sim,
                    filterLengthMismatch, batchSize, maxPairs), out,
                    (done, total) -> System.err.printf("\rcontrastive: %d/%d samples", done, total));
            System.err.println();
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("prompts", res.prompts().toAbsolutePath().toString());
        if (res.divergence() != null) {
            r.put("divergence", res.divergence().toAbsolutePath().toString());
        }
        r.put("summary", res.summary().toAbsolutePath().toString());
        r.put("pairs", res.pairs());
        r.put("stats", res.stats());
        Json.print(r);
        return 0;
    }
}
