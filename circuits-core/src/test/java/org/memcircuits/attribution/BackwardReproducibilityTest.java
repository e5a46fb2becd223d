package org.memcircuits.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.memcircuits.TestModels;
import org.memcircuits.engine.Djl;
import org.memcircuits.model.Checkpoint;
import org.memcircuits.model.ForwardHooks;
import org.memcircuits.model.GptModel;

/**
 * Hundreds of identical forward+backward passes give bit-identical gradients. Guards against
 * constants in recorded arithmetic that live in Java memory: DJL's {@code x.mul(Number)} frees its
 * scalar's buffer when the call returns while autograd keeps the tensor, and about one backward in
 * 150 then read a reused buffer (gradients scaled by ~1e-310). See {@link Djl#constant}.
 */
class BackwardReproducibilityTest {
    private static final PairBatch BATCH = PairBatch.of(List.of(
            new PromptPair(new long[] {464, 2068, 7586, 21831}, new long[] {464, 3797, 7586}, new long[] {625}, new long[] {262}),
            new PromptPair(new long[] {15496, 995, 0}, new long[] {15496, 1110, 0}, new long[] {383}, new long[] {13})), 50256);

    private static List<double[]> mlpInputGradients(GptModel model) {
        return EdgeAttribution.withGradientLock(() -> {
            List<NDArray> leaves = new ArrayList<>();
            List<double[]> out = new ArrayList<>();
            try (NDManager m = model.newManager(); GradientCollector gc = Djl.engine().newGradientCollector()) {
                ForwardHooks hooks = new ForwardHooks() {
                    @Override
                    public NDArray mlpInput(int layer, NDArray resid) {
                        NDArray leaf = m.zeros(resid.getShape(), resid.getDataType());
                        leaf.setRequiresGradient(true);
                        leaves.add(leaf);
                        return resid.add(leaf);
                    }
                };
                NDArray logits = model.unembed(model.hidden(m, BATCH.clean(), hooks).get(":, -1, :"));
                gc.backward(new PatchedMetric(model).loss(m, BATCH, logits, GradFunction.LOGIT, Loss.AVG_DIFF));
                for (NDArray leaf : leaves) {
                    out.add(leaf.getGradient().toType(DataType.FLOAT64, false).toDoubleArray());
                }
            }
            return out;
        });
    }

    @Test
    void identicalBackwardPassesAreBitIdentical() {
        try (Checkpoint ckpt = Checkpoint.load(TestModels.tinyRandom(), DataType.FLOAT64)) {
            List<double[]> first = mlpInputGradients(ckpt.model());
            assertThat(java.util.Arrays.stream(first.get(first.size() - 1)).map(Math::abs).max().orElse(0)).isGreaterThan(1e-3);
            for (int i = 0; i < 500; i++) {
                List<double[]> again = mlpInputGradients(ckpt.model());
                for (int k = 0; k < first.size(); k++) {
                    assertThat(again.get(k)).as("run %d, block %d", i, k).containsExactly(first.get(k));
                }
            }
        }
    }
}
