package org.memcircuits.circuit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.memcircuits.attribution.PairBatch;
import org.memcircuits.attribution.PatchedMetric;
import org.memcircuits.attribution.SharedPrefix;
import org.memcircuits.graph.CircuitGraph;
import org.memcircuits.model.Batch;
import org.memcircuits.model.GptModel;
import org.memcircuits.model.ModelConfig;
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
 *
 * <p>A search or a verification evaluates many circuits on the same batches. With the resample
 * ablation, the columns a batch's clean and corrupt prompts share are the same in every patched
 * run ({@link SharedPrefix}), so their keys and values are kept from one evaluation to the next,
 * up to a memory budget; batches beyond it run their shared columns per evaluation. Not for
 * concurrent use; close it to free what it keeps.
 */
public final class CircuitEvaluator implements AutoCloseable {
    /** Default budget for kept shared columns: a few batches of GPT-Neo-125M at the original's batch size 80. */
    public static final long DEFAULT_PREFIX_BYTES = 1L << 30;

    private final GptModel model;
    private final CircuitGraph graph;
    private final PatchedMetric patched;
    private final long prefixBudget;
    private final Map<PairBatch, SharedPrefix> prefixes = new IdentityHashMap<>();
    private NDManager prefixManager;
    private long prefixBytes;

    public CircuitEvaluator(GptModel model, CircuitGraph graph) {
        this(model, graph, DEFAULT_PREFIX_BYTES);
    }

    /** @param prefixBudget bytes of shared columns' keys and values kept across evaluations (0: none kept) */
    public CircuitEvaluator(GptModel model, CircuitGraph graph, long prefixBudget) {
        this.model = model;
        this.graph = graph;
        this.patched = new PatchedMetric(model);
        this.prefixBudget = prefixBudget;
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
        try (NDManager meanManager = model.newManager()) {
            List<NDArray> means = ablation.datasetMean() ? datasetMeans(meanManager, batches, ablation) : null;
            for (PairBatch b : batches) {
                evaluateBatch(b, circuit, type, ablation, metrics, inputClean, means, sum);
            }
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] /= batches.size();
        }
        return sum;
    }

    private void evaluateBatch(PairBatch b, CircuitSelection circuit, PatchType type, Ablation ablation,
            List<CircuitMetric> metrics, boolean inputClean, List<NDArray> means, double[] sum) {
        {
            try (NDManager m = model.newManager()) {
                // With the other prompt's own run as the patch, the columns both prompts share are the
                // same in every patched run, whatever the masks: they are run once (SharedPrefix).
                SharedPrefix split = ablation == Ablation.RESAMPLE ? sharedPrefix(b, m) : SharedPrefix.none(b);
                Batch input = inputClean ? split.clean() : split.corrupt();
                Batch source = inputClean ? split.corrupt() : split.clean();
                List<NDArray> patch = means != null ? fromMeans(m, means, input) : patchValues(m, split, source, input, ablation);
                EdgeMasks masks = EdgeMasks.of(graph, m, circuit.inCircuit(), type == PatchType.TREE, model.dataType());
                NDArray logits = patched.logits(m, split, input, masks, patch);
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += metrics.get(i).value(m, b, logits, model.dataType());
                }
            }
        }
    }

    /** The batch's shared columns: kept from an earlier evaluation, kept now if the budget allows, else run into {@code m}. */
    private SharedPrefix sharedPrefix(PairBatch b, NDManager m) {
        SharedPrefix kept = prefixes.get(b);
        if (kept != null) {
            return kept;
        }
        int shared = SharedPrefix.length(b);
        ModelConfig c = model.config();
        long bytes = 2L * c.nLayers() * b.size() * c.nHeads() * shared * c.dHead() * model.dataType().getNumOfBytes();
        if (shared == 0 || prefixBytes + bytes > prefixBudget) {
            return SharedPrefix.of(model, b, m, shared);
        }
        if (prefixManager == null) {
            prefixManager = model.newManager();
        }
        SharedPrefix split = SharedPrefix.of(model, b, prefixManager, shared);
        prefixes.put(b, split);
        prefixBytes += bytes;
        return split;
    }

    @Override
    public void close() {
        prefixes.clear();
        prefixBytes = 0;
        if (prefixManager != null) {
            prefixManager.close();
            prefixManager = null;
        }
    }

    /**
     * Per-position means of every source over the whole dataset (as the mean of batch means), aligned
     * at the last position: left padding puts every prompt's last token in the last column.
     */
    private List<NDArray> datasetMeans(NDManager keep, List<PairBatch> batches, Ablation ablation) {
        int tMax = batches.stream().mapToInt(b -> b.clean().length()).max().orElse(0);
        List<NDArray> sums = null;
        int[] count = new int[tMax];
        for (PairBatch b : batches) {
            List<Batch> runs = switch (ablation) {
                case TOKENWISE_MEAN_CLEAN -> List.of(b.clean());
                case TOKENWISE_MEAN_CORRUPT -> List.of(b.corrupt());
                default -> List.of(b.clean(), b.corrupt());
            };
            for (Batch run : runs) {
                int t = run.length();
                for (int i = tMax - t; i < tMax; i++) {
                    count[i]++;
                }
                try (NDManager m = model.newManager()) {
                    List<NDArray> src = patched.sources(m, run);
                    if (sums == null) {
                        sums = new ArrayList<>();
                        for (NDArray c : src) {
                            long[] s = c.getShape().getShape();
                            sums.add(keep.zeros(new ai.djl.ndarray.types.Shape(s[0], tMax, s[3]), model.dataType()));
                        }
                    }
                    for (int k = 0; k < src.size(); k++) {
                        NDArray mean = src.get(k).mean(new int[] {1}); // [n, T, D]
                        sums.get(k).set(new ai.djl.ndarray.index.NDIndex(":, {}:, :", tMax - t),
                                sums.get(k).get(":, {}:, :", tMax - t).add(mean));
                    }
                }
            }
        }
        float[] inv = new float[tMax];
        for (int i = 0; i < tMax; i++) {
            inv[i] = count[i] == 0 ? 0f : 1f / count[i];
        }
        NDArray scale = keep.create(inv, new ai.djl.ndarray.types.Shape(1, tMax, 1)).toType(model.dataType(), false);
        List<NDArray> means = new ArrayList<>();
        for (NDArray s : sums) {
            means.add(s.mul(scale));
        }
        return means;
    }

    /** The dataset means cut to this batch's length and broadcast over its rows. */
    private static List<NDArray> fromMeans(NDManager m, List<NDArray> means, Batch input) {
        List<NDArray> out = new ArrayList<>(means.size());
        for (NDArray mean : means) {
            long[] s = mean.getShape().getShape(); // [n, tMax, D]
            NDArray cut = mean.get(":, {}:, :", s[1] - input.length()).expandDims(1);
            NDArray b = cut.broadcast(new ai.djl.ndarray.types.Shape(s[0], input.size(), input.length(), s[2]));
            b.attach(m);
            out.add(b);
        }
        return out;
    }

    private List<NDArray> patchValues(NDManager m, SharedPrefix split, Batch source, Batch input, Ablation ablation) {
        List<NDArray> src = patched.sources(m, split, ablation == Ablation.ZERO ? input : source);
        List<NDArray> out = new ArrayList<>(src.size());
        for (NDArray c : src) { // [n, B, T, D]
            out.add(switch (ablation) {
                case RESAMPLE -> c;
                case ZERO -> c.zerosLike();
                case BATCH_TOKENWISE_MEAN -> c.mean(new int[] {1}, true).broadcast(c.getShape());
                case BATCH_ALL_TOK_MEAN -> c.mean(new int[] {1, 2}, true).broadcast(c.getShape());
                default -> throw new IllegalArgumentException("dataset-wide means are computed by datasetMeans");
            });
        }
        return out;
    }
}
