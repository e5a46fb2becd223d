package org.memcircuits.circuit;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.memcircuits.InvalidInputException;
import org.memcircuits.attribution.PairBatch;
import org.memcircuits.attribution.PruneScores;

/**
 * The smallest edge count whose circuit keeps the target faithfulness, found exactly (not to +-50
 * edges as the original's stepped search) by bisection under the monotonicity assumption, with
 * every evaluation recorded and any observed violation of monotonicity reported.
 *
 * <p>Faithfulness follows verify_circuit's convention in both directions: F(k) = (M(k) - M(0)) /
 * (M(all) - M(0)), baselines always with RESAMPLE.
 */
public final class MinimalCircuitSearch {
    public record Evaluation(int requestedEdges, int actualEdges, double metric, double faithfulness) {}

    public record Result(int minimalEdges, int actualEdges, double faithfulness, double metric, boolean targetReached,
            double baselineZero, double baselineAll, List<Evaluation> trace, List<String> nonMonotonic) {}

    private final CircuitEvaluator evaluator;
    private final PruneScores scores;
    private final PatchType patchType;
    private final Direction direction;
    private final Ablation ablation;
    private final CircuitMetric metric;
    private final boolean signed;
    private double zero;
    private double all;
    private final TreeMap<Integer, Evaluation> seen = new TreeMap<>();
    private java.util.function.Consumer<Evaluation> listener = e -> {};

    /** Told of every circuit evaluated (progress, metrics). */
    public MinimalCircuitSearch onEvaluation(java.util.function.Consumer<Evaluation> l) {
        this.listener = l;
        return this;
    }

    public MinimalCircuitSearch(CircuitEvaluator evaluator, PruneScores scores, PatchType patchType, Direction direction,
            Ablation ablation, CircuitMetric metric, boolean signed) {
        this.evaluator = evaluator;
        this.scores = scores;
        this.patchType = patchType;
        this.direction = direction;
        this.ablation = ablation;
        this.metric = metric;
        this.signed = signed;
    }

    public Result search(List<PairBatch> test, double target) {
        int total = scores.edgeCount();
        zero = evaluator.evaluate(test, CircuitSelection.topK(scores, 0, signed), patchType, direction, Ablation.RESAMPLE, metric);
        all = evaluator.evaluate(test, CircuitSelection.topK(scores, total, signed), patchType, direction, Ablation.RESAMPLE, metric);
        if (noEffect(zero, all)) {
            // F = (M(k) - M(0)) / (M(all) - M(0)) is undefined: no circuit can be faithful or unfaithful to nothing.
            throw new InvalidInputException("no effect to explain: the metric is " + all + " with all edges and " + zero
                    + " with none on these pairs, so faithfulness is undefined and no minimal circuit exists"
                    + " (are the clean and corrupt prompts the same?)");
        }
        Evaluation top = evaluate(test, total);
        if (top.faithfulness() < target) {
            return result(top, false);
        }
        int lo = 1;
        int hi = total;
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            if (evaluate(test, mid).faithfulness() >= target) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return result(evaluate(test, hi), true);
    }

    /** The two baselines agree to within float rounding: there is nothing for edges to explain. */
    static boolean noEffect(double zero, double all) {
        return !(Math.abs(all - zero) > 1e-9 * Math.max(1.0, Math.max(Math.abs(all), Math.abs(zero))));
    }

    public Evaluation evaluate(List<PairBatch> test, int k) {
        Evaluation e = seen.get(k);
        if (e != null) {
            return e;
        }
        CircuitSelection c = CircuitSelection.topK(scores, k, signed);
        double m = evaluator.evaluate(test, c, patchType, direction, ablation, metric);
        double denom = all - zero;
        double f = denom == 0 ? Double.NaN : (m - zero) / denom;
        e = new Evaluation(k, c.actual(), m, f);
        seen.put(k, e);
        listener.accept(e);
        return e;
    }

    private Result result(Evaluation best, boolean reached) {
        List<String> violations = new ArrayList<>();
        List<Evaluation> trace = new ArrayList<>(seen.values());
        double bestBelow = Double.NEGATIVE_INFINITY;
        int atK = -1;
        for (Evaluation e : trace) {
            if (e.faithfulness() < bestBelow - 1e-9) {
                violations.add("faithfulness falls from " + bestBelow + " at " + atK + " edges to " + e.faithfulness() + " at "
                        + e.requestedEdges() + " edges");
            }
            if (e.faithfulness() > bestBelow) {
                bestBelow = e.faithfulness();
                atK = e.requestedEdges();
            }
        }
        return new Result(best.requestedEdges(), best.actualEdges(), best.faithfulness(), best.metric(), reached, zero, all,
                trace, violations);
    }
}
