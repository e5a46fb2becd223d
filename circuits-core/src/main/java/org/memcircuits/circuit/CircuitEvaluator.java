package org.memcircuits.circuit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.memcircuits.attribution.PairBatch;
import org.memcircuits.attribution.PatchedMetric;
import org.memcircuits.graph.CircuitGraph;
import org.memcircuits.model.Batch;
import org.memcircuits.model.GptModel;
import org.memcircuits.patching.EdgeMasks;

/**
 * auto-circuit's {@code run_circuits}: the metric of a circuit under a patch type, direction and
 * ablation, as the mean of batch means.
 *
 * <table>
 * <tr><th>patch, direction</th><th>model input</th><th>patch source</th><th>mask 1 for</th></tr>
 * <tr><td>EDGE, denoising</td><td>corrupt</td><td>clean</td><td>circuit edges</td></tr>
 * <tr><td>EDGE, noising</td><td>clean</td><td>corrupt</td><td>circuit edges</td></tr>
 * <tr><td>TREE, denoising</td><td>clean</td><td>corrupt</td><td>edges outside the circuit</td></tr>
 * <tr><td>TREE, noising</td><td>corrupt</td><td>clean</td><td>edges outside the circuit</td></tr>
 * </table>
 */
public final class CircuitEvaluator {
    private final GptModel model;
    private final CircuitGraph graph;
    private final PatchedMetric patched;

    public CircuitEvaluator(GptModel model, CircuitGraph graph) {
        this.model = model;
        this.graph = graph;
        this.patched = new PatchedMetric(model);
    }

    public double evaluate(List<PairBatch> batches, CircuitSelection circuit, PatchType type, Direction dir, Ablation ablation,
            CircuitMetric metric) {
        return evaluateAll(batches, circuit, type, dir, ablation, List.of(metric))[0];
    }

    /** Several metrics from one patched run per batch (each the mean of batch means). */
    public double[] evaluateAll(List<PairBatch> batches, CircuitSelection circuit, PatchType type, Direction dir,
            Ablation ablation, List<CircuitMetric> metrics) {
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("no batches to evaluate the circuit on");
        }
        boolean inputClean = (type == PatchType.EDGE) == (dir == Direction.NOISING);
        double[] sum = new double[metrics.size()];
        for (PairBatch b : batches) {
            try (NDManager m = model.newManager()) {
                Batch input = inputClean ? b.clean() : b.corrupt();
                Batch source = inputClean ? b.corrupt() : b.clean();
                List<NDArray> patch = patchValues(m, source, input, ablation);
                EdgeMasks masks = EdgeMasks.of(graph, m, circuit.inCircuit(), type == PatchType.TREE, model.dataType());
                NDArray logits = patched.logits(m, input, masks, patch);
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += metrics.get(i).value(m, b, logits, model.dataType());
                }
            }
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] /= batches.size();
        }
        return sum;
    }

    private List<NDArray> patchValues(NDManager m, Batch source, Batch input, Ablation ablation) {
        List<NDArray> src = patched.sources(m, ablation == Ablation.ZERO ? input : source);
        List<NDArray> out = new ArrayList<>(src.size());
        for (NDArray c : src) { // [n, B, T, D]
            out.add(switch (ablation) {
                case RESAMPLE -> c;
                case ZERO -> c.zerosLike();
                case BATCH_TOKENWISE_MEAN -> c.mean(new int[] {1}, true).broadcast(c.getShape());
                case BATCH_ALL_TOK_MEAN -> c.mean(new int[] {1, 2}, true).broadcast(c.getShape());
            });
        }
        return out;
    }
}
