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
    private GradFunction gradFunction;
    private Loss lossFunction;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EdgeAttribution.class);

    public PruneScores attribute(List<PairBatch> batches, int igSteps, GradFunction g, Loss loss, Progress progress) {
        this.gradFunction = g;
        this.lossFunction = loss;
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
                        List<double[]> grads = null;
                        // Known issue: the CPU backward now and then returns NaN for identical inputs (not a
                        // numerical overflow: a rerun of the same step is finite and equal to other runs). The
                        // step is recomputed, at most twice, and a NaN never reaches the scores.
                        for (int attempt = 0; grads == null; attempt++) {
                            grads = step(batch, patch, bm, alpha);
                            if (grads == null) {
                                if (attempt == 2) {
                                    throw new IllegalStateException("non-finite mask gradient at batch " + bi + ", step " + s
                                            + " (alpha " + alpha + ") in three attempts");
                                }
                                LOG.warn("non-finite mask gradient at batch {}, step {} (alpha {}); recomputing", bi, s, alpha);
                            }
                        }
                        if (acc == null) {
                            acc = new ArrayList<>();
                            names = lastNames;
                            shapes = lastShapes;
                            for (double[] first : grads) {
                                acc.add(new double[first.length]);
                            }
                        }
                        for (int k = 0; k < acc.size(); k++) {
                            double[] a = acc.get(k);
                            double[] grad = grads.get(k);
                            for (int i = 0; i < a.length; i++) {
                                a[i] += grad[i];
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

    private List<String> lastNames;
    private List<long[]> lastShapes;

    /** One step's mask gradients per group, or null if any is not finite. */
    private List<double[]> step(PairBatch batch, List<NDArray> patch, NDManager bm, float alpha) {
        try (NDManager sm = bm.newSubManager()) {
            // Fresh leaves every step: DJL accumulates gradients across backward calls.
            EdgeMasks masks = EdgeMasks.filled(graph, sm, alpha, model.dataType());
            try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                masks.requireGradients();
                NDArray logits = metric.logits(sm, batch.clean(), masks, patch);
                gc.backward(metric.loss(sm, batch, logits, gradFunction, lossFunction));
            }
            lastNames = masks.names();
            lastShapes = new ArrayList<>();
            List<double[]> out = new ArrayList<>();
            for (NDArray m : masks.groups()) {
                lastShapes.add(m.getShape().getShape());
                double[] g = m.getGradient().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
                for (double x : g) {
                    if (!Double.isFinite(x)) {
                        return null;
                    }
                }
                out.add(g);
            }
            return out;
        }
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
