package org.memcircuits.verify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.memcircuits.attribution.PairBatch;
import org.memcircuits.attribution.PromptPair;
import org.memcircuits.attribution.PruneScores;
import org.memcircuits.circuit.Ablation;
import org.memcircuits.circuit.CircuitEvaluator;
import org.memcircuits.circuit.CircuitMetric;
import org.memcircuits.circuit.CircuitSelection;
import org.memcircuits.circuit.Direction;
import org.memcircuits.circuit.PatchType;

/**
 * verify_circuit, completed: every metric and its faithfulness at each edge count, under the chosen
 * ablation, patch type and direction, with baselines always from RESAMPLE (as the original); N
 * seeded random circuits of the same size (uniform random scores, same top-k rule) with their
 * faithfulness and overlap with the real circuit; and the train/test leakage count.
 */
public final class CircuitVerifier {
    public static final List<CircuitMetric> METRICS = List.of(CircuitMetric.values());

    public record Options(List<Integer> edgeCounts, Ablation ablation, PatchType patch, Direction direction,
            CircuitMetric primary, int randomTrials, long seed, double margin, boolean signed) {}

    /** One edge count: every metric and faithfulness of the circuit, and the random baseline on the primary metric. */
    public record Row(int requestedEdges, int actualEdges, Map<String, Double> metrics, Map<String, Double> faithfulness,
            List<Double> randomFaithfulness, List<Double> randomOverlap, double randomMean, double randomSd,
            boolean betterThanRandom) {}

    public record Report(Options options, int totalEdges, int evaluationPairs, int leakedPairs,
            Map<String, Double> baselineZero, Map<String, Double> baselineAll, List<Row> rows) {}

    private final CircuitEvaluator evaluator;

    public CircuitVerifier(CircuitEvaluator evaluator) {
        this.evaluator = evaluator;
    }

    public Report verify(List<PairBatch> eval, PruneScores scores, Options o, List<PromptPair> trainPairs) {
        int total = scores.edgeCount();
        double[] zero = evaluator.evaluateAll(eval, CircuitSelection.topK(scores, 0, o.signed()), o.patch(), o.direction(),
                Ablation.RESAMPLE, METRICS);
        double[] all = evaluator.evaluateAll(eval, CircuitSelection.topK(scores, total, o.signed()), o.patch(), o.direction(),
                Ablation.RESAMPLE, METRICS);
        int primary = METRICS.indexOf(o.primary());
        List<Row> rows = new ArrayList<>();
        for (int k : o.edgeCounts()) {
            if (k < 0 || k > total) {
                throw new org.memcircuits.InvalidInputException("edge count " + k + " outside 0.." + total);
            }
            CircuitSelection c = CircuitSelection.topK(scores, k, o.signed());
            double[] m = evaluator.evaluateAll(eval, c, o.patch(), o.direction(), o.ablation(), METRICS);
            Map<String, Double> metrics = new LinkedHashMap<>();
            Map<String, Double> faith = new LinkedHashMap<>();
            for (int i = 0; i < METRICS.size(); i++) {
                String name = METRICS.get(i).name().toLowerCase();
                metrics.put(name, m[i]);
                faith.put(name, faithfulness(m[i], zero[i], all[i]));
            }
            List<Double> rf = new ArrayList<>();
            List<Double> overlap = new ArrayList<>();
            for (int t = 0; t < o.randomTrials(); t++) {
                CircuitSelection r = CircuitSelection.topK(randomScores(scores, o.seed() + 1_000_003L * t + k), k, false);
                double v = evaluator.evaluateAll(eval, r, o.patch(), o.direction(), o.ablation(), List.of(o.primary()))[0];
                rf.add(faithfulness(v, zero[primary], all[primary]));
                overlap.add(overlap(c, r));
            }
            double mean = rf.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double sd = Math.sqrt(rf.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / Math.max(1, rf.size() - 1));
            double own = faith.get(o.primary().name().toLowerCase());
            rows.add(new Row(k, c.actual(), metrics, faith, rf, overlap, mean, sd, !rf.isEmpty() && own > mean + o.margin()));
        }
        return new Report(o, total, eval.stream().mapToInt(PairBatch::size).sum(), leaked(eval, trainPairs),
                named(zero), named(all), rows);
    }

    static double faithfulness(double m, double zero, double all) {
        double d = all - zero;
        return d == 0 ? Double.NaN : (m - zero) / d;
    }

    /** Uniform random scores in the same layout (the original's random_prune_scores), seeded. */
    static PruneScores randomScores(PruneScores like, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<double[]> v = new ArrayList<>();
        for (double[] g : like.values()) {
            double[] x = new double[g.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextDouble();
            }
            v.add(x);
        }
        return new PruneScores(like.graph(), like.names(), like.shapes(), v);
    }

    /** Share of the real circuit's edges that the random one also holds. */
    static double overlap(CircuitSelection real, CircuitSelection random) {
        int both = 0;
        int mine = 0;
        for (int g = 0; g < real.inCircuit().length; g++) {
            for (int i = 0; i < real.inCircuit()[g].length; i++) {
                if (real.inCircuit()[g][i]) {
                    mine++;
                    both += random.inCircuit()[g][i] ? 1 : 0;
                }
            }
        }
        return mine == 0 ? 0 : (double) both / mine;
    }

    /** Evaluation pairs whose clean and corrupt prompts both appear among the pairs the scores were computed on. */
    static int leaked(List<PairBatch> eval, List<PromptPair> train) {
        if (train == null || train.isEmpty()) {
            return 0;
        }
        Set<String> seen = new HashSet<>();
        for (PromptPair p : train) {
            seen.add(Arrays.toString(p.clean()) + "|" + Arrays.toString(p.corrupt()));
        }
        int n = 0;
        for (PairBatch b : eval) {
            for (PromptPair p : b.pairs()) {
                n += seen.contains(Arrays.toString(p.clean()) + "|" + Arrays.toString(p.corrupt())) ? 1 : 0;
            }
        }
        return n;
    }

    private static Map<String, Double> named(double[] v) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < METRICS.size(); i++) {
            m.put(METRICS.get(i).name().toLowerCase(), v[i]);
        }
        return m;
    }
}
