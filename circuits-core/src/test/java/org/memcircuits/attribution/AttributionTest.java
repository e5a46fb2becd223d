package org.memcircuits.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.memcircuits.TestModels;
import org.memcircuits.engine.Djl;
import org.memcircuits.graph.CircuitGraph;
import org.memcircuits.model.Checkpoint;
import org.memcircuits.model.ForwardHooks;
import org.memcircuits.model.GptModel;
import org.memcircuits.model.HeadInput;
import org.memcircuits.patching.EdgeMasks;
import org.memcircuits.patching.SourceRecorder;

/** EAP-IG on the tiny fixture GPT-Neo in float64: exact checks, not tolerances on noise. */
class AttributionTest {
    private static Checkpoint f64;
    private static GptModel model;
    private static CircuitGraph graph;
    private static final List<PromptPair> PAIRS = List.of(
            new PromptPair(new long[] {5, 17, 88, 3, 41, 9}, new long[] {5, 17, 90, 3, 41}, new long[] {12}, new long[] {77}),
            new PromptPair(new long[] {71, 2, 33, 4}, new long[] {71, 2, 34, 4}, new long[] {8, 9}, new long[] {60}),
            new PromptPair(new long[] {1, 2, 3, 4, 5}, new long[] {6, 7, 8, 9, 10}, new long[] {44}, new long[] {45}));

    @BeforeAll
    static void load() {
        f64 = Checkpoint.load(TestModels.fixture("tiny-gpt-neo"), DataType.FLOAT64);
        model = f64.model();
        graph = new CircuitGraph(model.config(), true);
    }

    @AfterAll
    static void close() {
        f64.close();
    }

    private static PairBatch batch() {
        return PairBatch.of(PAIRS, 100);
    }

    /** Loss with every mask at {@code alpha}, except edge (group k, index i) at {@code value}. */
    private static double lossAt(double alpha, int k, int i, double value) {
        PatchedMetric metric = new PatchedMetric(model);
        try (NDManager m = model.newManager()) {
            PairBatch b = batch();
            List<NDArray> patch = metric.sources(m, b.corrupt());
            EdgeMasks masks = EdgeMasks.filled(graph, m, (float) alpha, DataType.FLOAT64);
            if (k >= 0) {
                NDArray g = masks.groups().get(k);
                double[] v = g.toDoubleArray();
                v[i] = value;
                masks.groups().set(k, m.create(v, g.getShape()));
            }
            return metric.loss(m, b, metric.logits(m, b.clean(), masks, patch), GradFunction.LOGIT, Loss.AVG_DIFF).getDouble();
        }
    }

    @Test
    void maskAllZerosIsTheCleanRunAndAllOnesTheCorruptRun() {
        PatchedMetric metric = new PatchedMetric(model);
        try (NDManager m = model.newManager()) {
            PairBatch b = batch();
            List<NDArray> patch = metric.sources(m, b.corrupt());
            NDArray clean = model.unembed(model.hidden(m, b.clean(), ForwardHooks.NONE).get(":, -1, :"));
            NDArray corrupt = model.unembed(model.hidden(m, b.corrupt(), ForwardHooks.NONE).get(":, -1, :"));
            NDArray zeros = metric.logits(m, b.clean(), EdgeMasks.filled(graph, m, 0f, DataType.FLOAT64), patch);
            NDArray ones = metric.logits(m, b.clean(), EdgeMasks.filled(graph, m, 1f, DataType.FLOAT64), patch);
            assertThat(zeros.sub(clean).abs().max().getDouble()).isLessThan(1e-10);
            assertThat(ones.sub(corrupt).abs().max().getDouble()).isLessThan(1e-10);
            assertThat(clean.sub(corrupt).abs().max().getDouble()).isGreaterThan(1e-2);
        }
    }

    /** Mask gradients by autograd through {@link org.memcircuits.patching.EdgePatcher} with explicit masks. */
    private static List<double[]> explicitMaskGradients(GptModel model, CircuitGraph graph, PairBatch b, double alpha, Loss loss) {
        PatchedMetric metric = new PatchedMetric(model);
        List<double[]> grads = new ArrayList<>();
        try (NDManager m = model.newManager(); GradientCollector gc = Djl.engine().newGradientCollector()) {
            List<NDArray> patch = metric.sources(m, b.corrupt());
            EdgeMasks masks = EdgeMasks.filled(graph, m, (float) alpha, DataType.FLOAT64);
            masks.requireGradients();
            gc.backward(metric.loss(m, b, metric.logits(m, b.clean(), masks, patch), GradFunction.LOGIT, loss));
            for (NDArray g : masks.groups()) {
                grads.add(g.getGradient().toDoubleArray());
            }
        }
        return grads;
    }

    @Test
    void interpolatedStepEqualsAutogradThroughExplicitMasks() {
        try (Checkpoint gpt2 = Checkpoint.load(TestModels.fixture("tiny-gpt2"), DataType.FLOAT64);
                Checkpoint random = Checkpoint.load(TestModels.tinyRandom(), DataType.FLOAT64)) {
            for (GptModel mdl : List.of(model, gpt2.model(), random.model())) {
                for (boolean separate : new boolean[] {true, false}) {
                    CircuitGraph g = new CircuitGraph(mdl.config(), separate);
                    PairBatch b = mdl == random.model() ? smoothBatch() : PairBatch.of(PAIRS, 100);
                    for (float alpha : new float[] {0f, 0.4f, 1f, 1f / 3}) {
                        List<double[]> want = explicitMaskGradients(mdl, g, b, alpha, Loss.AVG_DIFF);
                        double scale = want.stream().flatMapToDouble(java.util.Arrays::stream).map(Math::abs).max().orElseThrow();
                        assertThat(scale).isGreaterThan(1e-3);
                        // One chunk of positions (the default at these sizes), and one position per chunk.
                        for (long chunkBytes : new long[] {MaskGradients.CHUNK_BYTES, 1}) {
                            List<double[]> got = new EdgeAttribution(mdl, g, chunkBytes)
                                    .gradientsAt(b, alpha, GradFunction.LOGIT, Loss.AVG_DIFF);
                            assertThat(got).hasSameSizeAs(want);
                            for (int k = 0; k < want.size(); k++) {
                                assertThat(got.get(k)).as("%s separate=%s alpha=%s chunk=%d group %d", mdl.config().family(),
                                        separate, alpha, chunkBytes, k).containsExactly(want.get(k), within(1e-8 * scale));
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void allMasksOneStepTakenWithoutTheGeneralPassEqualsAutograd() {
        // Clean and corrupt of equal length: the step at mask 1 is taken from the corrupt run alone.
        // Its one non-zero edge, input->logits, needs last tokens that differ.
        PairBatch fixtureBatch = PairBatch.of(List.of(PAIRS.get(1), PAIRS.get(2)), 100);
        PairBatch randomBatch = PairBatch.of(List.of(
                new PromptPair(new long[] {464, 2068, 7586}, new long[] {464, 2068, 3797}, new long[] {625}, new long[] {262}),
                new PromptPair(new long[] {15496, 995, 0}, new long[] {15496, 1110, 0}, new long[] {383}, new long[] {13})),
                50256);
        assertThat(EdgeAttribution.sameLayout(batch())).isFalse();
        try (Checkpoint gpt2 = Checkpoint.load(TestModels.fixture("tiny-gpt2"), DataType.FLOAT64);
                Checkpoint random = Checkpoint.load(TestModels.tinyRandom(), DataType.FLOAT64)) {
            for (GptModel mdl : List.of(model, gpt2.model(), random.model())) {
                for (boolean separate : new boolean[] {true, false}) {
                    CircuitGraph g = new CircuitGraph(mdl.config(), separate);
                    PairBatch b = mdl == random.model() ? randomBatch : fixtureBatch;
                    assertThat(EdgeAttribution.sameLayout(b)).isTrue();
                    EdgeAttribution attribution = new EdgeAttribution(mdl, g);
                    List<double[]> want = explicitMaskGradients(mdl, g, b, 1, Loss.AVG_DIFF);
                    List<double[]> got = attribution.allPatchGradients(b, GradFunction.LOGIT, Loss.AVG_DIFF);
                    double scale = want.stream().flatMapToDouble(java.util.Arrays::stream).map(Math::abs).max().orElseThrow();
                    assertThat(scale).isGreaterThan(1e-6);
                    for (int k = 0; k < want.size(); k++) {
                        assertThat(got.get(k)).as("%s separate=%s group %d", mdl.config().family(), separate, k)
                                .containsExactly(want.get(k), within(1e-9 * scale));
                    }
                    // And attribute() takes it: one step at 0 plus the shortcut at 1.
                    List<double[]> at0 = attribution.gradientsAt(b, 0f, GradFunction.LOGIT, Loss.AVG_DIFF);
                    PruneScores sum = attribution.attribute(List.of(b), 1, GradFunction.LOGIT, Loss.AVG_DIFF, (w, x, y, z) -> {});
                    for (int k = 0; k < want.size(); k++) {
                        double[] expected = new double[want.get(k).length];
                        for (int i = 0; i < expected.length; i++) {
                            expected[i] = at0.get(k)[i] + want.get(k)[i];
                        }
                        assertThat(sum.values().get(k)).containsExactly(expected, within(1e-8 * scale));
                    }
                }
            }
        }
    }

    @Test
    void sharedColumnsAreRunOnceAndTheGradientsAreTheFullRunsOnes() {
        // Branch-decision pairs differ in their last token only; rows of different lengths are left padded alike.
        PairBatch branch = PairBatch.of(List.of(
                new PromptPair(new long[] {5, 17, 88, 3, 41, 9}, new long[] {5, 17, 88, 3, 41, 30}, new long[] {12}, new long[] {77}),
                new PromptPair(new long[] {71, 2, 33, 4}, new long[] {71, 2, 33, 50}, new long[] {8, 9}, new long[] {60})), 100);
        // Here one row differs from its third column on, the other in its last only: two columns are shared.
        PairBatch middle = PairBatch.of(List.of(
                new PromptPair(new long[] {5, 17, 88, 3, 41}, new long[] {5, 17, 90, 3, 41}, new long[] {12}, new long[] {77}),
                new PromptPair(new long[] {1, 2, 3, 4, 5}, new long[] {1, 2, 3, 4, 6}, new long[] {44}, new long[] {45})), 100);
        PairBatch randomBranch = PairBatch.of(List.of(
                new PromptPair(new long[] {464, 2068, 7586, 21831}, new long[] {464, 2068, 7586, 3797}, new long[] {625}, new long[] {262}),
                new PromptPair(new long[] {15496, 995, 0}, new long[] {15496, 995, 1110}, new long[] {383}, new long[] {13})),
                50256);
        assertThat(SharedPrefix.length(branch)).isEqualTo(5);
        assertThat(SharedPrefix.length(middle)).isEqualTo(2);
        assertThat(SharedPrefix.length(randomBranch)).isEqualTo(3);
        assertThat(SharedPrefix.length(batch())).isZero(); // padded differently
        try (Checkpoint gpt2 = Checkpoint.load(TestModels.fixture("tiny-gpt2"), DataType.FLOAT64);
                Checkpoint random = Checkpoint.load(TestModels.tinyRandom(), DataType.FLOAT64)) {
            for (GptModel mdl : List.of(model, gpt2.model(), random.model())) {
                for (boolean separate : new boolean[] {true, false}) {
                    CircuitGraph g = new CircuitGraph(mdl.config(), separate);
                    EdgeAttribution attribution = new EdgeAttribution(mdl, g);
                    for (PairBatch b : mdl == random.model() ? List.of(randomBranch) : List.of(branch, middle)) {
                        for (float alpha : new float[] {0f, 0.4f, 1f / 3, 1f}) {
                            List<double[]> want = explicitMaskGradients(mdl, g, b, alpha, Loss.AVG_DIFF);
                            List<double[]> got = alpha == 1f
                                    ? attribution.allPatchGradients(b, GradFunction.LOGIT, Loss.AVG_DIFF)
                                    : attribution.gradientsAt(b, alpha, GradFunction.LOGIT, Loss.AVG_DIFF);
                            double scale = want.stream().flatMapToDouble(java.util.Arrays::stream).map(Math::abs).max().orElseThrow();
                            assertThat(scale).isGreaterThan(1e-6);
                            for (int k = 0; k < want.size(); k++) {
                                assertThat(got.get(k)).as("%s separate=%s alpha=%s group %d", mdl.config().family(), separate, alpha, k)
                                        .containsExactly(want.get(k), within(1e-9 * scale));
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void maskGradientsEqualCentralFiniteDifferences() {
        double alpha = 0.4;
        PatchedMetric metric = new PatchedMetric(model);
        List<double[]> grads = new ArrayList<>();
        try (NDManager m = model.newManager(); GradientCollector gc = Djl.engine().newGradientCollector()) {
            PairBatch b = batch();
            List<NDArray> patch = metric.sources(m, b.corrupt());
            EdgeMasks masks = EdgeMasks.filled(graph, m, (float) alpha, DataType.FLOAT64);
            masks.requireGradients();
            gc.backward(metric.loss(m, b, metric.logits(m, b.clean(), masks, patch), GradFunction.LOGIT, Loss.AVG_DIFF));
            for (NDArray g : masks.groups()) {
                grads.add(g.getGradient().toDoubleArray());
            }
        }
        // A sample of edges across all kinds of destinations: q/k/v of late blocks, MLPs, logits.
        int[][] sample = {{3, 0}, {4, 5}, {5, 17}, {6, 2}, {7, 9}, {9, 20}, {10, 30}, {11, 3}, {11, 12}, {12, 40}};
        double eps = 1e-5;
        int nonZero = 0;
        for (int[] e : sample) {
            int k = e[0];
            int i = e[1] % grads.get(k).length;
            double fd = (lossAt(alpha, k, i, alpha + eps) - lossAt(alpha, k, i, alpha - eps)) / (2 * eps);
            assertThat(grads.get(k)[i]).as("group %d edge %d", k, i).isCloseTo(fd, within(1e-7 + 1e-6 * Math.abs(fd)));
            nonZero += Math.abs(fd) > 1e-6 ? 1 : 0;
        }
        assertThat(nonZero).isGreaterThan(sample.length / 2);
    }

    private static PairBatch smoothBatch() {
        return PairBatch.of(List.of(
                new PromptPair(new long[] {464, 2068, 7586, 21831}, new long[] {464, 3797, 7586}, new long[] {625}, new long[] {262}),
                new PromptPair(new long[] {15496, 995, 0}, new long[] {15496, 1110, 0}, new long[] {383}, new long[] {13})),
                50256);
    }

    @Test
    void completenessSumOfScoresApproachesTheTotalEffect() {
        // The fixture's weights (std 0.3, unscaled attention) make L(alpha) nearly piecewise constant,
        // where any Riemann sum converges slowly; a GPT-2-style initialisation (std 0.02) is smooth.
        try (Checkpoint smooth = Checkpoint.load(TestModels.tinyRandom(), DataType.FLOAT64)) {
            GptModel tiny = smooth.model();
            CircuitGraph g = new CircuitGraph(tiny.config(), true);
            List<PairBatch> batches = List.of(smoothBatch());
            int m = 60;
            PruneScores s = new EdgeAttribution(tiny, g).attribute(batches, m, GradFunction.LOGIT, Loss.AVG_DIFF,
                    (a, b, c, d) -> {});
            PatchedMetric metric = new PatchedMetric(tiny);
            double[] ends = new double[2];
            for (int e = 0; e < 2; e++) {
                try (NDManager nm = tiny.newManager()) {
                    PairBatch b = batches.get(0);
                    NDArray logits = metric.logits(nm, b.clean(), EdgeMasks.filled(g, nm, e, DataType.FLOAT64),
                            metric.sources(nm, b.corrupt()));
                    ends[e] = metric.loss(nm, b, logits, GradFunction.LOGIT, Loss.AVG_DIFF).getDouble();
                }
            }
            double effect = ends[1] - ends[0];
            assertThat(s.edgeCount()).isEqualTo(g.edgeCount());
            assertThat(Math.abs(effect)).isGreaterThan(1e-6);
            // Approaches: within 3% at 60 steps, and closer than at 15 steps.
            double coarse = new EdgeAttribution(tiny, g).attribute(batches, 15, GradFunction.LOGIT, Loss.AVG_DIFF,
                    (a, b, c, d) -> {}).total() / 16;
            double fine = s.total() / (m + 1);
            assertThat(fine).isCloseTo(effect, within(0.03 * Math.abs(effect)));
            assertThat(Math.abs(fine - effect)).isLessThan(Math.abs(coarse - effect));
        }
    }

    @Test
    void zeroStepsIsEapComputedDirectly() {
        PruneScores s = new EdgeAttribution(model, graph).attribute(List.of(batch()), 0, GradFunction.LOGIT, Loss.AVG_DIFF,
                (a, b, c, d) -> {});
        // Direct EAP: gradient g_d of the loss at each destination input on the clean run, then
        // score(src -> dest) = Σ g_d · (corrupt_src − clean_src).
        PatchedMetric metric = new PatchedMetric(model);
        try (NDManager m = model.newManager(); GradientCollector gc = Djl.engine().newGradientCollector()) {
            PairBatch b = batch();
            List<NDArray> corrupt = metric.sources(m, b.corrupt());
            List<NDArray> probes = new ArrayList<>();
            SourceRecorder probe = new SourceRecorder() {
                NDArray leaf(NDArray resid) {
                    NDArray z = m.zeros(resid.getShape(), DataType.FLOAT64);
                    z.setRequiresGradient(true);
                    probes.add(z);
                    return resid.add(z);
                }

                @Override
                public NDArray headInput(int layer, HeadInput kind, NDArray resid) {
                    return leaf(resid.expandDims(2).repeat(2, model.config().nHeads()));
                }

                @Override
                public NDArray mlpInput(int layer, NDArray resid) {
                    return leaf(resid);
                }

                @Override
                public NDArray finalResidual(NDArray resid) {
                    return leaf(resid);
                }
            };
            NDArray logits = model.unembed(model.hidden(m, b.clean(), probe).get(":, -1, :"));
            gc.backward(metric.loss(m, b, logits, GradFunction.LOGIT, Loss.AVG_DIFF));
            List<NDArray> clean = probe.chunks();
            // Probe order: per block q, k, v, mlp; then the final residual (same as the mask groups).
            for (int k = 0; k < probes.size(); k++) {
                NDArray g = probes.get(k).getGradient();
                double[] got = s.values().get(k);
                long[] shape = s.shapes().get(k);
                int sources = (int) shape[shape.length - 1];
                int src = 0;
                for (int c = 0; src < sources; c++) {
                    NDArray diff = corrupt.get(c).sub(clean.get(c)); // [n, B, T, D]
                    for (int j = 0; j < diff.getShape().get(0); j++, src++) {
                        NDArray d = diff.get(j);
                        if (shape.length == 2) {
                            for (int h = 0; h < shape[0]; h++) {
                                double want = g.get(":, :, " + h + ", :").mul(d).sum().getDouble();
                                assertThat(got[h * sources + src]).isCloseTo(want, within(1e-9 + 1e-7 * Math.abs(want)));
                            }
                        } else {
                            double want = g.mul(d).sum().getDouble();
                            assertThat(got[src]).isCloseTo(want, within(1e-9 + 1e-7 * Math.abs(want)));
                        }
                    }
                }
            }
        }
    }

    @Test
    void identicalInputsGiveBitIdenticalScores() {
        EdgeAttribution a = new EdgeAttribution(model, graph);
        PruneScores s1 = a.attribute(List.of(batch()), 3, GradFunction.LOGIT, Loss.AVG_VAL_WRONG, (w, x, y, z) -> {});
        PruneScores s2 = a.attribute(List.of(batch()), 3, GradFunction.LOGIT, Loss.AVG_VAL_WRONG, (w, x, y, z) -> {});
        for (int k = 0; k < s1.values().size(); k++) {
            assertThat(s2.values().get(k)).containsExactly(s1.values().get(k));
        }
    }

}
