package org.memcircuits.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.memcircuits.engine.Djl;
import org.memcircuits.graph.CircuitGraph;
import org.memcircuits.model.GptModel;
import org.memcircuits.patching.EdgeMasks;
import org.memcircuits.patching.ResidualRecorder;

/**
 * Mask-gradient EAP-IG, as auto-circuit's {@code mask_gradient_prune_scores}: every edge mask is
 * set to s/m for s = 0..m (both ends included; m = 0 is EAP at mask 0), the model runs on the clean
 * prompts patched from the corrupt ones (RESAMPLE), and the gradient of the batch-mean loss with
 * respect to each mask is summed over steps and batches. All edges are interpolated together.
 *
 * <p>Because all masks share one value, a step is a plain forward with interpolated residual reads
 * and a plain backward ({@link InterpolatedPatcher}), then one product per destination module for
 * the edge gradients ({@link MaskGradients}). The result equals autograd through
 * {@link org.memcircuits.patching.EdgePatcher} with explicit masks (tested), at the cost of a
 * plain step plus one multiply-add per edge and activation element.
 *
 * <p>Memory is one batch's activations: the corrupt run is recorded per batch, used for all steps,
 * and dropped. Gradient work is serialized: DJL allows one GradientCollector per JVM.
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

    /** Scores per mask group, in {@link EdgeMasks} order, summed over steps and batches. */
    public PruneScores attribute(List<PairBatch> batches, int igSteps, GradFunction g, Loss loss, Progress progress) {
        if (igSteps < 0) {
            throw new IllegalArgumentException("integrated-gradient steps must be >= 0, got " + igSteps);
        }
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("no batches to attribute");
        }
        List<EdgeMasks.Group> layout = EdgeMasks.layout(graph);
        List<double[]> acc = new ArrayList<>();
        for (EdgeMasks.Group group : layout) {
            acc.add(new double[Math.toIntExact(group.shape().length == 2 ? group.shape()[0] * group.shape()[1] : group.shape()[0])]);
        }
        withGradientLock(() -> {
            for (int bi = 0; bi < batches.size(); bi++) {
                PairBatch batch = batches.get(bi);
                try (NDManager bm = model.newManager()) {
                    ResidualRecorder corrupt = new ResidualRecorder();
                    model.hidden(bm, batch.corrupt(), corrupt);
                    NDArray diffs = diffBuffer(bm, corrupt);
                    for (int s = 0; s <= igSteps; s++) {
                        float alpha = igSteps == 0 ? 0f : (float) s / igSteps;
                        List<double[]> grads = finiteStep(batch, corrupt, diffs, bm, alpha, g, loss, bi, s);
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
            return null;
        });
        return new PruneScores(graph, layout.stream().map(EdgeMasks.Group::name).toList(),
                layout.stream().map(EdgeMasks.Group::shape).toList(), acc);
    }

    /** One step's gradients; a non-finite one is an error, never summed into the scores. */
    private List<double[]> finiteStep(PairBatch batch, ResidualRecorder corrupt, NDArray diffs, NDManager bm, float alpha,
            GradFunction g, Loss loss, int bi, int s) {
        List<double[]> grads = step(batch, corrupt, diffs, bm, alpha, g, loss);
        if (grads == null) {
            throw new IllegalStateException("non-finite mask gradient at batch " + bi + ", step " + s + " (alpha " + alpha + ")");
        }
        return grads;
    }

    /** One step's mask gradients per group, or null if any is not finite. */
    private List<double[]> step(PairBatch batch, ResidualRecorder corrupt, NDArray diffs, NDManager bm, float alpha, GradFunction g,
            Loss loss) {
        try (NDManager sm = bm.newSubManager()) {
            InterpolatedPatcher pass = new InterpolatedPatcher(sm, alpha, corrupt.reads());
            try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                NDArray logits = model.unembed(model.hidden(sm, batch.clean(), pass).get(":, -1, :"));
                gc.backward(metric.loss(sm, batch, logits, g, loss));
            }
            return MaskGradients.of(model, graph, pass, corrupt.chunks(), diffs);
        }
    }

    /** One step's mask gradients with every mask at {@code alpha} (null if not finite). */
    List<double[]> gradientsAt(PairBatch batch, float alpha, GradFunction g, Loss loss) {
        return withGradientLock(() -> {
            try (NDManager bm = model.newManager()) {
                ResidualRecorder corrupt = new ResidualRecorder();
                model.hidden(bm, batch.corrupt(), corrupt);
                return step(batch, corrupt, diffBuffer(bm, corrupt), bm, alpha, g, loss);
            }
        });
    }

    /** The batch's [sources, B·T·D] buffer for patch − curr (see {@link MaskGradients}). */
    private NDArray diffBuffer(NDManager bm, ResidualRecorder corrupt) {
        NDArray emb = corrupt.chunks().get(0); // [1, B, T, D]
        return bm.zeros(new Shape(graph.sources().size(), emb.size()), emb.getDataType());
    }

    /** Runs gradient work under the JVM-wide lock (for callers outside this class). */
    public static <T> T withGradientLock(Supplier<T> work) {
        GRADIENTS.lock();
        try {
            return work.get();
        } finally {
            GRADIENTS.unlock();
        }
    }
}
