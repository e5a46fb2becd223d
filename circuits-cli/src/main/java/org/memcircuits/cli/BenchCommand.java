package org.memcircuits.cli;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.memcircuits.cli.bench.FlopCount;
import org.memcircuits.cli.bench.GemmProbe;
import org.memcircuits.model.Batch;
import org.memcircuits.model.Checkpoint;
import org.memcircuits.model.ForwardHooks;
import org.memcircuits.model.GreedyGenerator;
import org.memcircuits.model.ModelConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Benchmarks. Each prints its throughput next to the libtorch GEMM rate of the same run and ends
 * with one JSON line {@code {"bench":..., "tokens_per_s":..., "gflops":..., "gemm_gflops":...,
 * "ratio":...}} (attribute: one per kind of pairs timed, with its own fields).
 */
@Command(name = "bench", description = "Benchmarks (figures next to the machine's GEMM rate).",
        subcommands = {BenchCommand.Forward.class, BenchCommand.Generate.class, BenchScore.class, BenchAttribute.class})
final class BenchCommand {

    static final class Common {
        @Option(names = "--model", defaultValue = "builtin:gpt-neo-125m", paramLabel = "DIR",
                description = "Checkpoint or builtin:PRESET. Default: ${DEFAULT-VALUE}.")
        String model;

        @Option(names = "--batch", defaultValue = "8", description = "Batch size. Default: ${DEFAULT-VALUE}.")
        int batch;

        @Option(names = "--iterations", defaultValue = "5", description = "Timed iterations. Default: ${DEFAULT-VALUE}.")
        int iterations;

        @Option(names = "--seed", defaultValue = "1", description = "Seed for the random token ids.")
        long seed;

        Checkpoint load() {
            ModelOptions o = new ModelOptions();
            o.model = model;
            return o.load();
        }

        long[][] randomIds(ModelConfig c, int tokens) {
            SplittableRandom r = new SplittableRandom(seed);
            long[][] ids = new long[batch][tokens];
            for (long[] row : ids) {
                for (int i = 0; i < tokens; i++) {
                    row[i] = r.nextInt(c.vocabSize() - 1);
                }
            }
            return ids;
        }
    }

    static Map<String, Object> result(String bench, double tokensPerS, double gflops, double gemm) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("bench", bench);
        r.put("tokens_per_s", round(tokensPerS));
        r.put("gflops", round(gflops));
        r.put("gemm_gflops", round(gemm));
        r.put("ratio", Math.round(gflops / gemm * 1000) / 1000.0);
        return r;
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    @Command(name = "forward", description = "Plain forward passes (logits at every position).")
    static final class Forward implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--tokens", defaultValue = "128", description = "Tokens per row. Default: ${DEFAULT-VALUE}.")
        int tokens;

        @Option(names = "--last-only", description = "Unembed only the last position (what scoring and circuit metrics read).")
        boolean lastOnly;

        @Override
        public Integer call() {
            try (Checkpoint ckpt = common.load()) {
                ModelConfig c = ckpt.config();
                Batch batch = Batch.of(common.randomIds(c, tokens));
                double gemm = GemmProbe.gflops(1024, 10);
                double[] secs = new double[common.iterations];
                for (int i = -2; i < common.iterations; i++) {
                    try (NDManager m = ckpt.model().newManager()) {
                        long t0 = System.nanoTime();
                        if (lastOnly) {
                            ckpt.model().unembed(ckpt.model().hidden(m, batch, ForwardHooks.NONE).get(":, -1, :")).getFloat(0, 0);
                        } else {
                            ckpt.model().logits(m, batch).getFloat(0, 0, 0);
                        }
                        double dt = (System.nanoTime() - t0) / 1e9;
                        if (i >= 0) {
                            secs[i] = dt;
                        }
                    }
                }
                double gemmAfter = GemmProbe.gflops(1024, 10);
                double t = median(secs);
                double flops = FlopCount.forward(c, common.batch, tokens);
                if (lastOnly) {
                    flops -= 2.0 * c.dModel() * c.vocabSize() * common.batch * (tokens - 1);
                }
                double g = flops / t / 1e9;
                double gemmBest = Math.max(gemm, gemmAfter);
                System.out.printf("forward%s %s batch %d x %d tokens: median %.1f ms, %.0f tokens/s, %.1f GFLOP/s"
                                + " (GEMM %.1f GFLOP/s before, %.1f after; ratio %.2f)%n",
                        lastOnly ? " (last-position logits)" : "", common.model, common.batch, tokens, t * 1e3, common.batch * tokens / t, g, gemm, gemmAfter, g / gemmBest);
                Json.print(result(lastOnly ? "forward-last" : "forward", common.batch * tokens / t, g, gemmBest));
            }
            return 0;
        }
    }

    @Command(name = "generate", description = "Greedy generation with the KV cache; per-token time over the run.")
    static final class Generate implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--prompt-tokens", defaultValue = "50", description = "Prompt length. Default: ${DEFAULT-VALUE}.")
        int promptTokens;

        @Option(names = "--new-tokens", defaultValue = "50", description = "Tokens generated. Default: ${DEFAULT-VALUE}.")
        int newTokens;

        @Override
        public Integer call() {
            try (Checkpoint ckpt = common.load()) {
                ModelConfig c = ckpt.config();
                Batch batch = Batch.of(common.randomIds(c, promptTokens));
                GreedyGenerator gen = new GreedyGenerator(ckpt.model());
                double gemm = GemmProbe.gflops(1024, 10);
                gen.generate(batch, newTokens, false); // warm-up
                double[][] stepMs = new double[common.iterations][newTokens];
                double[] totals = new double[common.iterations];
                for (int i = 0; i < common.iterations; i++) {
                    int it = i;
                    long t0 = System.nanoTime();
                    gen.generate(batch, newTokens, false, (s, nanos) -> stepMs[it][s] = nanos / 1e6);
                    totals[i] = (System.nanoTime() - t0) / 1e9;
                }
                double total = median(totals);
                double[] perStep = new double[newTokens];
                for (int s = 0; s < newTokens; s++) {
                    double[] col = new double[common.iterations];
                    for (int i = 0; i < common.iterations; i++) {
                        col[i] = stepMs[i][s];
                    }
                    perStep[s] = median(col);
                }
                double flops = common.batch * FlopCount.perToken(c) * (promptTokens + newTokens - 1);
                for (int s = 0; s < newTokens; s++) {
                    int keys = promptTokens + s;
                    int queries = s == 0 ? promptTokens : 1;
                    flops += common.batch * queries * FlopCount.attentionPerQuery(c, keys);
                }
                double g = flops / total / 1e9;
                int window = Math.min(10, Math.max(1, (newTokens - 1) / 2));
                double early = mean(perStep, 1, 1 + window);
                double late = mean(perStep, newTokens - window, newTokens);
                List<Double> shown = new ArrayList<>();
                for (double v : perStep) {
                    shown.add(round(v));
                }
                System.out.printf("generate %s batch %d, prompt %d, %d new tokens: %.2f s, %.1f new tokens/s, %.1f GFLOP/s"
                                + " (GEMM %.1f GFLOP/s; ratio %.2f)%n",
                        common.model, common.batch, promptTokens, newTokens, total, common.batch * newTokens / total, g, gemm, g / gemm);
                System.out.printf("per-token ms (median over %d runs; step 0 includes the prefill): %s%n", common.iterations, shown);
                System.out.printf("flatness: tokens 2-%d average %.2f ms, tokens %d-%d average %.2f ms (late/early %.2f)%n",
                        1 + window, early, newTokens - window + 1, newTokens, late, late / early);
                Map<String, Object> r = result("generate", common.batch * newTokens / total, g, gemm);
                r.put("early_token_ms", round(early * 10) / 10.0);
                r.put("late_token_ms", round(late * 10) / 10.0);
                Json.print(r);
            }
            return 0;
        }

        private static double mean(double[] v, int from, int to) {
            double s = 0;
            for (int i = from; i < to; i++) {
                s += v[i];
            }
            return s / (to - from);
        }
    }
}
