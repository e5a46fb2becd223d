package org.memcircuits.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.memcircuits.engine.Djl;
import org.memcircuits.graph.CircuitGraph;
import org.memcircuits.model.GptModel;
import org.memcircuits.patching.EdgeMasks;

/**
 * Mask-gradient EAP-IG, as auto-circuit's {@code mask_gradient_prune_scores}: every edge mask is
 * set to s/m for s = 0..m (both ends included; m = 0 is EAP at mask 0), the model runs on the clean
 * prompts patched from the corrupt ones (RESAMPLE), and the gradient of the batch-mean loss with
 * respect to each mask is summed over steps and batches. All edges are interpolated together.
 *
 * <p>Memory is one batch's activations: the corrupt run's sources are recorded per batch, used for
 * all steps, and dropped. Gradient work is serialized: DJL allows one GradientCollector per JVM.
 */
public final class EdgeAttribution {
    private static final ReentrantLock GRADIENTS = new ReentrantLock();

    @FunctionalInterface
    public interface Progress {
        void step(int batch, int batches, int step, int steps);
    }

    private final GptModel model;
    private final CircuitGraph graph;
    private final PatchedMetric metric;

    public EdgeAttribution(GptModel model, CircuitGraph graph) {
        this.model = model;
        this.graph = graph;
        this.metric = new PatchedMetric(model);
    }

    /** Scores per mask group, in {@link EdgeMasks} order, as flat float arrays. */
    public PruneScores attribute(List<PairBatch> batches, int igSteps, GradFunction g, Loss loss, Progress progress) {
        if (igSteps < 0) {
            throw new IllegalArgumentException("integrated-gradient steps must be >= 0, got " + igSteps);
        }
        List<double[]> acc = null;
        List<String> names = null;
        List<long[]> shapes = null;
        GRADIENTS.lock();
        try {
            for (int bi = 0; bi < batches.size(); bi++) {
                PairBatch batch = batches.get(bi);
                try (NDManager bm = model.newManager()) {
                    List<NDArray> patch = metric.sources(bm, batch.corrupt());
                    for (int s = 0; s <= igSteps; s++) {
                        float alpha = igSteps == 0 ? 0f : (float) s / igSteps;
                        try (NDManager sm = bm.newSubManager()) {
                            // Fresh leaves every step: DJL accumulates gradients across backward calls.
                            EdgeMasks masks = EdgeMasks.filled(graph, sm, alpha, model.dataType());
                            try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                                masks.requireGradients();
                                NDArray logits = metric.logits(sm, batch.clean(), masks, patch);
                                gc.backward(metric.loss(sm, batch, logits, g, loss));
                            }
                            if (acc == null) {
                                acc = new ArrayList<>();
                                names = masks.names();
                                shapes = new ArrayList<>();
                                for (NDArray m : masks.groups()) {
                                    acc.add(new double[(int) m.size()]);
                                    shapes.add(m.getShape().getShape());
                                }
                            }
                            for (int k = 0; k < acc.size(); k++) {
                                double[] a = acc.get(k);
                                double[] grad = masks.groups().get(k).getGradient().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
                                for (int i = 0; i < a.length; i++) {
                                    if (!Double.isFinite(grad[i])) {
                                        // Never let a NaN reach a prune-score artifact silently.
                                        throw new IllegalStateException("non-finite mask gradient in " + masks.names().get(k)
                                                + " at batch " + bi + ", step " + s + " (alpha " + alpha + ")");
                                    }
                                    a[i] += grad[i];
                                }
                            }
                        }
                        progress.step(bi, batches.size(), s, igSteps + 1);
                    }
                }
            }
        } finally {
            GRADIENTS.unlock();
        }
        if (acc == null) {
            throw new IllegalArgumentException("no batches to attribute");
        }
        return new PruneScores(graph, names, shapes, acc);
    }

    /** Runs gradient work under the JVM-wide lock (for callers outside this class). */
    public static <T> T withGradientLock(java.util.function.Supplier<T> work) {
        GRADIENTS.lock();
        try {
            return work.get();
        } finally {
            GRADIENTS.unlock();
        }
    }
}
