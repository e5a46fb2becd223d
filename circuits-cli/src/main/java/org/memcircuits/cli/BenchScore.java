package org.memcircuits.cli;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.memcircuits.cli.bench.FlopCount;
import org.memcircuits.cli.bench.GemmProbe;
import org.memcircuits.memorization.MemorizationScorer;
import org.memcircuits.model.Batch;
import org.memcircuits.model.Checkpoint;
import org.memcircuits.model.ModelConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Memorization scoring throughput at N and 2N documents (cost must double), next to the plain
 * forward-pass rate and the GEMM rate of the same run.
 */
@Command(name = "score", description = "Scoring throughput (documents/s, generated tokens/s) at N and 2N documents.")
final class BenchScore implements Callable<Integer> {
    @Mixin
    BenchCommand.Common common;

    @Option(names = "--documents", defaultValue = "16", description = "N (the second run scores 2N). Default: ${DEFAULT-VALUE}.")
    int documents;

    @Option(names = "--prompt-tokens", defaultValue = "50")
    int promptTokens;

    @Option(names = "--generation-tokens", defaultValue = "50")
    int generationTokens;

    @Override
    public Integer call() throws IOException {
        List<String> sentences;
        try (InputStream in = BenchScore.class.getResourceAsStream("sentences.txt")) {
            sentences = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        }
        try (Checkpoint ckpt = common.load()) {
            ModelConfig c = ckpt.config();
            double gemm = GemmProbe.gflops(1024, 10);
            double forwardTokensPerS = forwardRate(ckpt);
            MemorizationScorer scorer = new MemorizationScorer(ckpt, promptTokens, generationTokens, common.batch);
            score(scorer, docs(sentences, common.batch, 99)); // warm-up
            double t1 = score(scorer, docs(sentences, documents, 1));
            double t2 = score(scorer, docs(sentences, 2 * documents, 2));
            double docsPerS = 3.0 * documents / (t1 + t2);
            double tokensPerS = docsPerS * generationTokens;
            double flopsPerDoc = FlopCount.perToken(c) * (promptTokens + generationTokens - 1);
            for (int s = 0; s < generationTokens; s++) {
                flopsPerDoc += (s == 0 ? promptTokens : 1) * FlopCount.attentionPerQuery(c, promptTokens + s);
            }
            double g = docsPerS * flopsPerDoc / 1e9;
            System.out.printf("score %s batch %d, P=%d G=%d: %d docs in %.2f s, %d docs in %.2f s (2N/N time ratio %.2f)%n",
                    common.model, common.batch, promptTokens, generationTokens, documents, t1, 2 * documents, t2, t2 / t1);
            System.out.printf("%.2f documents/s, %.1f generated tokens/s, %.1f GFLOP/s; plain forward %.0f tokens/s;"
                    + " GEMM %.1f GFLOP/s (ratio %.2f)%n", docsPerS, tokensPerS, g, forwardTokensPerS, gemm, g / gemm);
            Map<String, Object> r = BenchCommand.result("score", tokensPerS, g, gemm);
            r.put("documents_per_s", Math.round(docsPerS * 100) / 100.0);
            r.put("forward_tokens_per_s", BenchCommand.round(forwardTokensPerS));
            r.put("linearity_2n_over_n", Math.round(t2 / t1 * 100) / 100.0);
            Json.print(r);
        }
        return 0;
    }

    private double forwardRate(Checkpoint ckpt) {
        Batch batch = Batch.of(common.randomIds(ckpt.config(), 128));
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            try (NDManager m = ckpt.model().newManager()) {
                long t0 = System.nanoTime();
                ckpt.model().logits(m, batch).getFloat(0, 0, 0);
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
        }
        return common.batch * 128 / best;
    }

    private static double score(MemorizationScorer scorer, List<MemorizationScorer.Document> docs) {
        long t0 = System.nanoTime();
        scorer.score(docs.iterator(), r -> {}, d -> {});
        return (System.nanoTime() - t0) / 1e9;
    }

    private static List<MemorizationScorer.Document> docs(List<String> sentences, int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<MemorizationScorer.Document> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder b = new StringBuilder();
            for (int k = 0; k < 6; k++) {
                b.append(sentences.get(rng.nextInt(sentences.size()))).append(' ');
            }
            out.add(new MemorizationScorer.Document(i, b.toString().strip()));
        }
        return out;
    }
}
