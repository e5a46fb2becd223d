package org.memcircuits.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
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
 * <p>Because all masks share one value, a step is a plain forward with interpolated residual reads
 * and a plain backward ({@link InterpolatedPatcher}), then one product per destination module for
 * the edge gradients ({@link MaskGradients}). The result equals autograd through
 * {@link org.memcircuits.patching.EdgePatcher} with explicit masks (tested), at the cost of a
 * plain step plus one multiply-add per edge and activation element. Columns that clean and
 * corrupt share are run once per batch ({@link SharedPrefix}); every run covers only the rest.
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
    private final long chunkBytes;

    public EdgeAttribution(GptModel model, CircuitGraph graph) {
        this(model, graph, MaskGradients.CHUNK_BYTES);
    }

    /** @param chunkBytes the per-chunk buffer of head input gradients (tests take it down to one position) */
    EdgeAttribution(GptModel model, CircuitGraph graph, long chunkBytes) {
        this.model = model;
        this.graph = graph;
        this.metric = new PatchedMetric(model);
        this.chunkBytes = chunkBytes;
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
            acc.add(new double[group.edges()]);
        }
        withGradientLock(() -> {
            try (NDManager am = model.newManager()) {
                // Depends on the weights only: made once for all batches.
                HeadProjections proj = HeadProjections.of(model, graph.separateQkv(), am);
                for (int bi = 0; bi < batches.size(); bi++) {
                    attributeBatch(batches.get(bi), bi, batches.size(), proj, igSteps, g, loss, acc, progress);
                }
            }
            return null;
        });
        return new PruneScores(graph, layout.stream().map(EdgeMasks.Group::name).toList(),
                layout.stream().map(EdgeMasks.Group::shape).toList(), acc);
    }

    /** Adds one batch's m + 1 steps to {@code acc}: the corrupt run, recorded once, serves them all. */
    private void attributeBatch(PairBatch batch, int bi, int batches, HeadProjections proj, int igSteps, GradFunction g, Loss loss,
            List<double[]> acc, Progress progress) {
        try (NDManager bm = model.newManager()) {
            SharedPrefix split = SharedPrefix.of(model, batch, bm);
            PatchRun corrupt = corruptRun(split, bm);
            NDArray diffs = diffBuffer(bm, corrupt);
            for (int s = 0; s <= igSteps; s++) {
                float alpha = igSteps == 0 ? 0f : (float) s / igSteps;
                List<double[]> grads = alpha == 1f && sameLayout(batch)
                        ? allPatchStep(batch, split, corrupt, bm, g, loss)
                        : step(batch, split, corrupt, diffs, proj, bm, alpha, g, loss);
                if (grads == null) { // an error, never summed into the scores
                    throw new IllegalStateException(
                            "non-finite mask gradient at batch " + bi + ", step " + s + " (alpha " + alpha + ")");
                }
                for (int k = 0; k < acc.size(); k++) {
                    double[] a = acc.get(k);
                    double[] grad = grads.get(k);
                    for (int i = 0; i < a.length; i++) {
                        a[i] += grad[i];
                    }
                }
                progress.step(bi, batches, s, igSteps + 1);
            }
        }
    }

    /** The corrupt run after the shared columns: its reads and sources, owned by {@code bm}. */
    private PatchRun corruptRun(SharedPrefix split, NDManager bm) {
        PatchRun corrupt = new PatchRun();
        try (NDManager rm = bm.newSubManager()) {
            split.hidden(model, rm, split.corrupt(), corrupt);
            corrupt.keep(bm);
        }
        return corrupt;
    }

    /** One step's mask gradients per group, or null if any is not finite. */
    private List<double[]> step(PairBatch batch, SharedPrefix split, PatchRun corrupt, NDArray diffs, HeadProjections proj,
            NDManager bm, float alpha, GradFunction g, Loss loss) {
        try (NDManager sm = bm.newSubManager()) {
            InterpolatedPatcher pass = new InterpolatedPatcher(sm, alpha, corrupt.reads);
            try (NDManager fm = sm.newSubManager(); GradientCollector gc = Djl.engine().newGradientCollector()) {
                NDArray logits = model.unembed(split.hidden(model, fm, split.clean(), pass).get(":, -1, :"));
                gc.backward(metric.loss(fm, batch, logits, g, loss));
                pass.keep(sm); // the rest of the forward's activations go now, before the edge products
            }
            return MaskGradients.of(model, graph, proj, pass, corrupt, diffs, chunkBytes);
        }
    }

    /**
     * The step with every mask at 1, exactly and at the cost of the final LayerNorm's backward.
     * Each destination then reads the patch residual, (1 − 1)·own + 1·patch, so no module's output
     * reaches the loss except through the final residual: every destination's input gradient but
     * the final residual's is zero. And with clean and corrupt sharing padding and positions, each
     * module computes what it computed in the corrupt run, so every source's patch − curr is zero
     * but the embedding's (the clean tokens are still embedded). One edge is left, input→logits:
     * ⟨∂L/∂final residual at the corrupt run, corrupt − clean embedding⟩. The general step gives
     * the same (tested); this one skips its forward, backward and edge products.
     */
    private List<double[]> allPatchStep(PairBatch batch, SharedPrefix split, PatchRun corrupt, NDManager bm, GradFunction g,
            Loss loss) {
        try (NDManager sm = bm.newSubManager()) {
            List<NDArray> reads = corrupt.reads;
            NDArray fin = reads.get(reads.size() - 1);
            NDArray leaf = sm.zeros(fin.getShape(), fin.getDataType()).addi(fin);
            leaf.setRequiresGradient(true);
            try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                NDArray logits = model.unembed(model.finalNorm(leaf).get(":, -1, :"));
                gc.backward(metric.loss(sm, batch, logits, g, loss));
            }
            NDArray embedDiff = model.embedding(sm, split.clean()).neg().addi(corrupt.embedding); // corrupt − clean
            double edge = leaf.getGradient().mul(embedDiff).sum().toType(DataType.FLOAT64, false).getDouble();
            List<double[]> out = new ArrayList<>();
            for (EdgeMasks.Group group : EdgeMasks.layout(graph)) {
                out.add(new double[group.edges()]);
            }
            out.get(out.size() - 1)[0] = edge; // source 0 is the embedding
            return Double.isFinite(edge) ? out : null;
        }
    }

    /** Clean and corrupt padded alike: then the all-patch run repeats the corrupt run module for module. */
    static boolean sameLayout(PairBatch batch) {
        return Arrays.deepEquals(batch.clean().mask(), batch.corrupt().mask())
                && Arrays.deepEquals(batch.clean().positions(), batch.corrupt().positions());
    }

    /** One step's mask gradients with every mask at {@code alpha} (null if not finite). */
    List<double[]> gradientsAt(PairBatch batch, float alpha, GradFunction g, Loss loss) {
        return withGradientLock(() -> {
            try (NDManager bm = model.newManager()) {
                SharedPrefix split = SharedPrefix.of(model, batch, bm);
                PatchRun corrupt = corruptRun(split, bm);
                HeadProjections proj = HeadProjections.of(model, graph.separateQkv(), bm);
                return step(batch, split, corrupt, diffBuffer(bm, corrupt), proj, bm, alpha, g, loss);
            }
        });
    }

    /** {@link #allPatchStep} for one batch (null if not finite). */
    List<double[]> allPatchGradients(PairBatch batch, GradFunction g, Loss loss) {
        return withGradientLock(() -> {
            try (NDManager bm = model.newManager()) {
                SharedPrefix split = SharedPrefix.of(model, batch, bm);
                return allPatchStep(batch, split, corruptRun(split, bm), bm, g, loss);
            }
        });
    }

    /** The batch's [sources, B·T·D] buffer for patch − curr (see {@link MaskGradients}). */
    private NDArray diffBuffer(NDManager bm, PatchRun corrupt) {
        NDArray emb = corrupt.embedding; // [B, T, D]
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
