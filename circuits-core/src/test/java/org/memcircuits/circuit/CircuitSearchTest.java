package org.memcircuits.circuit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.memcircuits.InvalidInputException;
import org.memcircuits.TestModels;
import org.memcircuits.attribution.EdgeAttribution;
import org.memcircuits.attribution.GradFunction;
import org.memcircuits.attribution.Loss;
import org.memcircuits.attribution.PairBatch;
import org.memcircuits.attribution.PatchedMetric;
import org.memcircuits.attribution.PromptPair;
import org.memcircuits.attribution.PruneScores;
import org.memcircuits.graph.CircuitGraph;
import org.memcircuits.model.Batch;
import org.memcircuits.model.Checkpoint;
import org.memcircuits.patching.EdgeMasks;

class CircuitSearchTest {
    private static Checkpoint ckpt;
    private static CircuitGraph graph;
    private static List<PairBatch> batches;
    private static PruneScores scores;

    @BeforeAll
    static void setUp() {
        ckpt = Checkpoint.load(TestModels.fixture("tiny-gpt-neo"));
        graph = new CircuitGraph(ckpt.config(), true);
        batches = List.of(PairBatch.of(List.of(
                new PromptPair(new long[] {5, 17, 88, 3, 41, 9}, new long[] {5, 17, 90, 3, 41}, new long[] {12}, new long[] {77}),
                new PromptPair(new long[] {71, 2, 33, 4}, new long[] {71, 2, 34, 4}, new long[] {8}, new long[] {60})), 100));
        scores = new EdgeAttribution(ckpt.model(), graph).attribute(batches, 5, GradFunction.LOGIT, Loss.AVG_DIFF, (a, b, c, d) -> {});
    }

    @AfterAll
    static void close() {
        ckpt.close();
    }

    @Test
    void faithfulnessIsZeroWithNoEdgesAndOneWithAllInBothPatchTypes() {
        try (CircuitEvaluator ev = new CircuitEvaluator(ckpt.model(), graph)) {
            for (PatchType pt : PatchType.values()) {
                MinimalCircuitSearch s = new MinimalCircuitSearch(ev, scores, pt, Direction.DENOISING, Ablation.RESAMPLE,
                        CircuitMetric.LOGIT_DIFF, false);
                s.search(batches, 0.85);
                assertThat(s.evaluate(batches, 0).faithfulness()).as("%s, 0 edges", pt).isCloseTo(0.0, within(1e-4));
                assertThat(s.evaluate(batches, graph.edgeCount()).faithfulness()).as("%s, all edges", pt)
                        .isCloseTo(1.0, within(1e-4));
            }
        }
    }

    @Test
    void identicalBaselinesAreNoEffectToExplainNeverTargetReached() {
        // Clean and corrupt prompts the same: every circuit gives the same metric, so faithfulness is 0/0.
        List<PairBatch> same = List.of(PairBatch.of(List.of(
                new PromptPair(new long[] {5, 17, 88, 3}, new long[] {5, 17, 88, 3}, new long[] {12}, new long[] {77})), 100));
        try (CircuitEvaluator ev = new CircuitEvaluator(ckpt.model(), graph)) {
            MinimalCircuitSearch s = new MinimalCircuitSearch(ev, scores, PatchType.EDGE, Direction.DENOISING, Ablation.RESAMPLE,
                    CircuitMetric.LOGIT_DIFF, false);
            assertThatThrownBy(() -> s.search(same, 0.85)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("no effect to explain");
        }
        assertThat(MinimalCircuitSearch.noEffect(1.5, 1.5)).isTrue();
        assertThat(MinimalCircuitSearch.noEffect(Double.NaN, 1.0)).isTrue();
        assertThat(MinimalCircuitSearch.noEffect(1.0, 1.001)).isFalse();
    }

    @Test
    void searchFindsTheSmallestFaithfulCountAndRecordsItsTrace() {
        try (CircuitEvaluator ev = new CircuitEvaluator(ckpt.model(), graph)) {
            MinimalCircuitSearch s = new MinimalCircuitSearch(ev, scores, PatchType.EDGE, Direction.DENOISING, Ablation.RESAMPLE,
                    CircuitMetric.LOGIT_DIFF, false);
            MinimalCircuitSearch.Result r = s.search(batches, 0.85);
            assertThat(r.targetReached()).isTrue();
            assertThat(r.faithfulness()).isGreaterThanOrEqualTo(0.85);
            assertThat(r.trace().size()).isLessThanOrEqualTo(3 + 32 - Integer.numberOfLeadingZeros(graph.edgeCount()));
            if (r.minimalEdges() > 1) {
                // Bisection's invariant: one fewer edge was evaluated and fell short.
                assertThat(s.evaluate(batches, r.minimalEdges() - 1).faithfulness()).isLessThan(0.85);
            }
            assertThat(r.trace()).extracting(MinimalCircuitSearch.Evaluation::requestedEdges).contains(r.minimalEdges());
        }
    }

    @Test
    void sharedColumnsRunOnceGiveTheFullPatchedRunsMetric() {
        // Branch-decision pairs: clean and corrupt differ in their last token only.
        PairBatch branch = PairBatch.of(List.of(
                new PromptPair(new long[] {5, 17, 88, 3, 41, 9}, new long[] {5, 17, 88, 3, 41, 30}, new long[] {12}, new long[] {77}),
                new PromptPair(new long[] {71, 2, 33, 4}, new long[] {71, 2, 33, 50}, new long[] {8}, new long[] {60})), 100);
        PatchedMetric full = new PatchedMetric(ckpt.model());
        List<PairBatch> one = List.of(branch);
        try (CircuitEvaluator ev = new CircuitEvaluator(ckpt.model(), graph);
                CircuitEvaluator unkept = new CircuitEvaluator(ckpt.model(), graph, 0)) {
            java.util.Set<Double> seen = new java.util.HashSet<>();
            for (int k : new int[] {0, 7, 60, graph.edgeCount()}) {
                CircuitSelection c = CircuitSelection.topK(scores, k, false);
                for (PatchType pt : PatchType.values()) {
                    for (Direction dir : Direction.values()) {
                        // Shared columns kept from the first evaluation on, and run afresh each time.
                        double kept = ev.evaluate(one, c, pt, dir, Ablation.RESAMPLE, CircuitMetric.LOGIT_DIFF);
                        double fresh = unkept.evaluate(one, c, pt, dir, Ablation.RESAMPLE, CircuitMetric.LOGIT_DIFF);
                        boolean inputClean = (pt == PatchType.EDGE) == (dir == Direction.NOISING);
                        double want;
                        try (NDManager m = ckpt.model().newManager()) { // every column run, nothing cached
                            Batch input = inputClean ? branch.clean() : branch.corrupt();
                            List<NDArray> patch = full.sources(m, inputClean ? branch.corrupt() : branch.clean());
                            EdgeMasks masks = EdgeMasks.of(graph, m, c.inCircuit(), pt == PatchType.TREE, ckpt.model().dataType());
                            want = CircuitMetric.LOGIT_DIFF.value(m, branch, full.logits(m, input, masks, patch), ckpt.model().dataType());
                        }
                        assertThat(kept).as("k=%d %s %s", k, pt, dir).isCloseTo(want, within(1e-4 * Math.max(1, Math.abs(want))));
                        assertThat(fresh).as("k=%d %s %s", k, pt, dir).isEqualTo(kept);
                        seen.add(Math.rint(want * 1e3));
                    }
                }
            }
            assertThat(seen).as("the circuits give different metrics").hasSizeGreaterThan(2);
        }
    }

    @Test
    void topKAdmitsTiesAndCountsThem() {
        CircuitSelection none = CircuitSelection.topK(scores, 0, false);
        assertThat(none.actual()).isZero();
        CircuitSelection all = CircuitSelection.topK(scores, scores.edgeCount(), false);
        assertThat(all.actual()).isEqualTo(scores.edgeCount());
        CircuitSelection ten = CircuitSelection.topK(scores, 10, false);
        assertThat(ten.actual()).isGreaterThanOrEqualTo(10);
        assertThat(ten.tiesAdmitted()).isEqualTo(ten.actual() - 10);
    }

    @Test
    void datasetTokenwiseMeansEqualBatchMeansOnOneBatchAndStayFiniteAcrossLengths() {
        try (CircuitEvaluator ev = new CircuitEvaluator(ckpt.model(), graph)) {
            tokenwiseMeans(ev);
        }
    }

    private void tokenwiseMeans(CircuitEvaluator ev) {
        CircuitSelection c = CircuitSelection.topK(scores, 20, false);
        // Denoising EDGE patches from the clean run: one batch's clean mean is the dataset's clean mean.
        double batchMean = ev.evaluate(batches, c, PatchType.EDGE, Direction.DENOISING, Ablation.BATCH_TOKENWISE_MEAN,
                CircuitMetric.LOGIT_DIFF);
        double datasetMean = ev.evaluate(batches, c, PatchType.EDGE, Direction.DENOISING, Ablation.TOKENWISE_MEAN_CLEAN,
                CircuitMetric.LOGIT_DIFF);
        assertThat(datasetMean).isCloseTo(batchMean, within(1e-4));
        List<PairBatch> two = List.of(batches.get(0), PairBatch.of(List.of(
                new PromptPair(new long[] {9, 8, 7}, new long[] {9, 8, 6}, new long[] {12}, new long[] {77})), 100));
        for (Ablation a : List.of(Ablation.TOKENWISE_MEAN_CLEAN, Ablation.TOKENWISE_MEAN_CORRUPT,
                Ablation.TOKENWISE_MEAN_CLEAN_AND_CORRUPT)) {
            assertThat(ev.evaluate(two, c, PatchType.EDGE, Direction.NOISING, a, CircuitMetric.LOGIT_DIFF)).isFinite();
        }
    }
}
