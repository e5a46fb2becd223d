package org.memcircuits.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.memcircuits.attribution.EdgeAttribution;
import org.memcircuits.attribution.GradFunction;
import org.memcircuits.attribution.Loss;
import org.memcircuits.attribution.PairBatch;
import org.memcircuits.attribution.PromptPair;
import org.memcircuits.cli.bench.GemmProbe;
import org.memcircuits.engine.Djl;
import org.memcircuits.graph.CircuitGraph;
import org.memcircuits.model.Checkpoint;
import org.memcircuits.model.ForwardHooks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Seconds per EAP-IG step per batch (a patched forward plus the backward to all 32,491 edge masks)
 * next to one plain forward+backward of the same batch, in the same run; peak resident memory. Two
 * kinds of pairs: random ones, which differ from the first token (the general case, and the
 * memorization-decision set's), and branch-decision ones, which share all but their last token, so
 * that attribution runs the shared columns once (see SharedPrefix in circuits-core).
 */
@Command(name = "attribute", description = "EAP-IG cost per step and batch vs a plain forward+backward.")
final class BenchAttribute implements Callable<Integer> {
    @Mixin
    BenchCommand.Common common;

    @Option(names = "--tokens", defaultValue = "51", description = "Prompt length. Default: ${DEFAULT-VALUE}.")
    int tokens;

    @Option(names = "--ig-steps", defaultValue = "5", description = "m (m+1 steps timed; discovery's default). Default: ${DEFAULT-VALUE}.")
    int igSteps;

    @Option(names = "--rounds", defaultValue = "3",
            description = "Rounds of (m+1 plain forward+backward passes, attribution), interleaved so that both see the same"
                    + " machine; the median round is reported. Default: ${DEFAULT-VALUE}.")
    int rounds;

    /** Which contrastive pairs the batch holds. */
    enum Pairs {
        /** Clean and corrupt drawn independently: they differ from the first token, the general case. */
        RANDOM,
        /** Corrupt is clean with its last token changed, as in the branch-decision set: all but one column shared. */
        BRANCH
    }

    @Option(names = "--pairs", split = ",", defaultValue = "random,branch",
            description = "Pair kinds to time, each in its own rounds: random (differ from the first token) and/or branch"
                    + " (differ in the last token only, as the branch-decision set). Default: ${DEFAULT-VALUE}.")
    List<Pairs> pairKinds;

    @Override
    public Integer call() throws IOException {
        try (Checkpoint ckpt = common.load()) {
            CircuitGraph graph = new CircuitGraph(ckpt.config(), true);
            double gemm = GemmProbe.gflops(1024, 10);
            EdgeAttribution attribution = new EdgeAttribution(ckpt.model(), graph);
            for (Pairs kind : pairKinds) {
                PairBatch batch = batch(ckpt, kind);
                plainForwardBackward(ckpt, batch); // warm-up
                // Warm-up: the same attribution as timed, so that the first round pays no first-use costs (a
                // warm-up with m = 1 skipped the interpolated steps, and the first timed round ran 5-10% slower).
                attribution.attribute(List.of(batch), igSteps, GradFunction.LOGIT, Loss.AVG_DIFF, (a, b, c, d) -> {});
                double[][] byRound = new double[Math.max(1, rounds)][];
                for (int r = 0; r < byRound.length; r++) {
                    // As many plain passes as the attribution has steps, right before it, averaged: both sides are
                    // means over about the same stretch of this machine's drifting speed. The best of them is printed too.
                    double sum = 0;
                    double best = Double.MAX_VALUE;
                    for (int i = 0; i <= igSteps; i++) {
                        double t = plainForwardBackward(ckpt, batch);
                        sum += t;
                        best = Math.min(best, t);
                    }
                    double plainRound = sum / (igSteps + 1);
                    long t0 = System.nanoTime();
                    attribution.attribute(List.of(batch), igSteps, GradFunction.LOGIT, Loss.AVG_DIFF, (a, b, c, d) -> {});
                    double step = (System.nanoTime() - t0) / 1e9 / (igSteps + 1);
                    byRound[r] = new double[] {step / plainRound, step, plainRound, best};
                    System.out.printf("%s pairs, round %d: %.3f s per IG step per batch, plain forward+backward %.3f s (mean of %d;"
                                    + " best %.3f), ratio %.2f (to the best: %.2f)%n", kind.name().toLowerCase(), r + 1, step, plainRound,
                            igSteps + 1, best, step / plainRound, step / best);
                }
                java.util.Arrays.sort(byRound, java.util.Comparator.comparingDouble(x -> x[0]));
                double[] median = byRound[byRound.length / 2];
                double perStep = median[1];
                double plain = median[2];
                double plainBest = median[3];
                long peak = peakRssBytes();
                System.out.printf("attribute %s, %s pairs, batch %d x %d tokens, %d edges: %.3f s per IG step per batch;"
                                + " plain forward+backward %.3f s (median round: ratio %.2f, target <= 1.3; to that round's best plain"
                                + " pass %.2f); peak RSS so far %.2f GiB; GEMM %.1f GFLOP/s%n",
                        common.model, kind.name().toLowerCase(), common.batch, tokens, graph.edgeCount(), perStep, plain, perStep / plain,
                        perStep / plainBest, peak / 1073741824.0, gemm);
                Map<String, Object> r = new java.util.LinkedHashMap<>();
                r.put("bench", "attribute");
                r.put("pairs", kind.name().toLowerCase());
                r.put("seconds_per_step_per_batch", Math.round(perStep * 1000) / 1000.0);
                r.put("plain_forward_backward_s", Math.round(plain * 1000) / 1000.0);
                r.put("ratio", Math.round(perStep / plain * 100) / 100.0);
                r.put("ratio_to_best_plain", Math.round(perStep / plainBest * 100) / 100.0);
                r.put("tokens_per_s", BenchCommand.round(common.batch * tokens / perStep));
                r.put("gemm_gflops", BenchCommand.round(gemm));
                r.put("peak_rss_gib", Math.round(peak / 1073741824.0 * 100) / 100.0);
                Json.print(r);
            }
        }
        return 0;
    }

    private PairBatch batch(Checkpoint ckpt, Pairs kind) {
        long seed = common.seed;
        long[][] clean = common.randomIds(ckpt.config(), tokens);
        common.seed++;
        long[][] corrupt = kind == Pairs.RANDOM ? common.randomIds(ckpt.config(), tokens) : new long[clean.length][];
        common.seed = seed;
        List<PromptPair> pairs = new ArrayList<>();
        for (int i = 0; i < clean.length; i++) {
            if (kind == Pairs.BRANCH) {
                corrupt[i] = clean[i].clone();
                corrupt[i][tokens - 1] = (clean[i][tokens - 1] + 1) % (ckpt.config().vocabSize() - 1);
            }
            pairs.add(new PromptPair(clean[i], corrupt[i], new long[] {11}, new long[] {13}));
        }
        return PairBatch.of(pairs, ckpt.config().eosTokenId());
    }

    /** Forward of the clean prompts and backward of the same loss to a leaf at block 0's MLP input. */
    private static double plainForwardBackward(Checkpoint ckpt, PairBatch batch) {
        return EdgeAttribution.withGradientLock(() -> {
            try (NDManager m = ckpt.model().newManager(); GradientCollector gc = Djl.engine().newGradientCollector()) {
                NDArray[] leaf = new NDArray[1];
                ForwardHooks hooks = new ForwardHooks() {
                    @Override
                    public NDArray mlpInput(int layer, NDArray resid) {
                        if (layer != 0) {
                            return resid;
                        }
                        leaf[0] = m.zeros(resid.getShape(), DataType.FLOAT32);
                        leaf[0].setRequiresGradient(true);
                        return resid.add(leaf[0]);
                    }
                };
                long t0 = System.nanoTime();
                NDArray logits = ckpt.model().unembed(ckpt.model().hidden(m, batch.clean(), hooks).get(":, -1, :"));
                NDArray centred = logits.sub(logits.mean(new int[] {-1}, true));
                gc.backward(centred.get(":, 11").sub(centred.get(":, 13")).mean().neg());
                leaf[0].getGradient().getFloat(0, 0, 0);
                return (System.nanoTime() - t0) / 1e9;
            }
        });
    }

    private static long peakRssBytes() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmHWM:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
