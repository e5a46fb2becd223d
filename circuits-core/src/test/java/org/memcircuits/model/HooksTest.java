package org.memcircuits.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.memcircuits.TestModels;
import org.memcircuits.engine.Djl;

class HooksTest {
    private static final Batch BATCH = Batch.leftPadded(
            List.of(new long[] {5, 17, 88, 3, 41, 9, 60, 12, 7, 30}, new long[] {71, 2, 33, 4, 4, 90}), 100);
    private static Checkpoint neo;

    @BeforeAll
    static void load() {
        neo = Checkpoint.load(TestModels.fixture("tiny-gpt-neo"));
    }

    @AfterAll
    static void close() {
        neo.close();
    }

    /** Observes every source and hands every destination back untouched. */
    private static class Recorder implements ForwardHooks {
        final List<String> seen = new ArrayList<>();
        final List<NDArray> headResults = new ArrayList<>();

        @Override
        public void embedding(NDArray x) {
            seen.add("blocks.0.hook_resid_pre");
        }

        @Override
        public boolean wantsHeadResults(int layer) {
            return true;
        }

        @Override
        public void headResults(int layer, NDArray result) {
            seen.add("blocks." + layer + ".attn.hook_result");
            headResults.add(result);
        }

        @Override
        public void mlpOutput(int layer, NDArray out) {
            seen.add("blocks." + layer + ".hook_mlp_out");
        }

        @Override
        public NDArray headInput(int layer, HeadInput kind, NDArray resid) {
            seen.add("blocks." + layer + ".hook_" + kind.letter + "_input");
            return resid;
        }

        @Override
        public NDArray mlpInput(int layer, NDArray resid) {
            seen.add("blocks." + layer + ".hook_mlp_in");
            return resid;
        }

        @Override
        public NDArray finalResidual(NDArray resid) {
            seen.add("blocks.final.hook_resid_post");
            return resid;
        }
    }

    @Test
    void hookedWithNoChangeIsBitIdenticalToPlain() {
        GptModel model = neo.model();
        try (NDManager m = model.newManager()) {
            float[] plain = model.logits(m, BATCH).toFloatArray();
            Recorder r = new Recorder();
            float[] hooked = model.unembed(model.hidden(m, BATCH, r)).toFloatArray();
            assertThat(hooked).containsExactly(plain);
            // Every node of the graph is visited: 1 embedding, 3 layers x (3 head inputs, results, mlp in/out), final.
            assertThat(r.seen).hasSize(1 + 3 * 6 + 1).contains("blocks.2.hook_v_input", "blocks.1.attn.hook_result");
            assertThat(r.headResults.get(0).getShape()).isEqualTo(new Shape(2, 10, 4, 16));
        }
    }

    @Test
    void perHeadInputsEqualSharedInput() {
        GptModel model = neo.model();
        ForwardHooks perHead = new ForwardHooks() {
            @Override
            public NDArray headInput(int layer, HeadInput kind, NDArray resid) {
                return resid.expandDims(2).repeat(2, model.config().nHeads()); // [B, T, H, D]
            }
        };
        try (NDManager m = model.newManager()) {
            NDArray plain = model.logits(m, BATCH);
            NDArray split = model.unembed(model.hidden(m, BATCH, perHead));
            assertThat(plain.sub(split).abs().max().getFloat()).isLessThan(1e-5f);
        }
    }

    @Test
    void headResultsPlusBiasSumToTheAttentionOutput() {
        GptModel model = neo.model();
        try (NDManager m = model.newManager()) {
            NDArray[] pre = new NDArray[1];
            NDArray[] mid = new NDArray[1];
            Recorder r = new Recorder() {
                @Override
                public void embedding(NDArray x) {
                    pre[0] = x;
                }

                @Override
                public NDArray mlpInput(int layer, NDArray resid) {
                    if (layer == 0) {
                        mid[0] = resid;
                    }
                    return resid;
                }
            };
            model.hidden(m, BATCH, r);
            NDArray bias = org.memcircuits.safetensors.SafeTensorsFile.open(
                            TestModels.fixture("tiny-gpt-neo").resolve("model.safetensors"))
                    .load(m, "transformer.h.0.attn.attention.out_proj.bias", DataType.FLOAT32);
            NDArray rebuilt = r.headResults.get(0).sum(new int[] {2}).add(bias);
            NDArray attnOut = mid[0].sub(pre[0]);
            assertThat(rebuilt.sub(attnOut).abs().max().getFloat()).isLessThan(1e-5f);
            assertThat(attnOut.abs().max().getFloat()).isGreaterThan(1e-2f);
        }
    }

    @Test
    void headMixTimesEachHeadsSliceOfWoIsItsResult() {
        GptModel model = neo.model();
        try (NDManager m = model.newManager()) {
            List<NDArray> mixes = new ArrayList<>();
            Recorder r = new Recorder() {
                @Override
                public void headMix(int layer, NDArray z) {
                    mixes.add(z);
                }
            };
            model.hidden(m, BATCH, r);
            int h = model.config().nHeads();
            int dh = model.config().dHead();
            assertThat(mixes).hasSize(model.config().nLayers());
            for (int l = 0; l < mixes.size(); l++) {
                NDArray z = mixes.get(l); // [B, H, T, dHead]
                assertThat(z.getShape()).isEqualTo(new Shape(2, h, 10, dh));
                // [H, B·T, dHead] x [H, dHead, D] -> [H, B, T, D] -> [B, T, H, D]
                NDArray perHead = z.transpose(1, 0, 2, 3).reshape(h, 20, dh).batchMatMul(model.layer(l).woHeads());
                NDArray result = perHead.reshape(h, 2, 10, -1).transpose(1, 2, 0, 3);
                assertThat(result.sub(r.headResults.get(l)).abs().max().getFloat()).isLessThan(1e-5f);
                assertThat(result.abs().max().getFloat()).isGreaterThan(1e-3f);
            }
        }
    }

    @Test
    void gradientsThroughHookedForwardMatchFiniteDifferences() {
        try (Checkpoint f64 = Checkpoint.load(TestModels.fixture("tiny-gpt-neo"), DataType.FLOAT64)) {
            GptModel model = f64.model();
            int h = model.config().nHeads();
            int d = model.config().dModel();
            // metric(alpha, beta): alpha scales a direction added to MLP 1's input, beta[h] one added
            // to head h's K input in layer 2.
            try (NDManager m = model.newManager()) {
                NDArray dirMlp = m.randomNormal(0, 1, new Shape(d), DataType.FLOAT64);
                NDArray dirK = m.randomNormal(0, 1, new Shape(h, d), DataType.FLOAT64);
                NDArray readout = m.randomNormal(0, 1, new Shape(model.config().vocabSize()), DataType.FLOAT64);
                double[] alpha = {0.3};
                double[] beta = {0.1, -0.2, 0.05, 0.4};
                double[] analytic = new double[1 + h];
                try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                    NDArray a = m.create(alpha);
                    NDArray bt = m.create(beta);
                    a.setRequiresGradient(true);
                    bt.setRequiresGradient(true);
                    NDArray metric = metric(model, m, a, bt, dirMlp, dirK, readout);
                    gc.backward(metric);
                    analytic[0] = a.getGradient().toDoubleArray()[0];
                    double[] gb = bt.getGradient().toDoubleArray();
                    System.arraycopy(gb, 0, analytic, 1, h);
                }
                double eps = 1e-6;
                for (int i = 0; i < 1 + h; i++) {
                    double[] ap = alpha.clone();
                    double[] am = alpha.clone();
                    double[] bp = beta.clone();
                    double[] bm = beta.clone();
                    if (i == 0) {
                        ap[0] += eps;
                        am[0] -= eps;
                    } else {
                        bp[i - 1] += eps;
                        bm[i - 1] -= eps;
                    }
                    double fp = metric(model, m, m.create(ap), m.create(bp), dirMlp, dirK, readout).getDouble();
                    double fm = metric(model, m, m.create(am), m.create(bm), dirMlp, dirK, readout).getDouble();
                    double numeric = (fp - fm) / (2 * eps);
                    assertThat(analytic[i]).as("parameter %d", i).isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-6 + 1e-6 * Math.abs(numeric)));
                    assertThat(Math.abs(numeric)).as("parameter %d has a real gradient", i).isGreaterThan(1e-6);
                }
            }
        }
    }

    private static NDArray metric(GptModel model, NDManager m, NDArray alpha, NDArray beta, NDArray dirMlp, NDArray dirK, NDArray readout) {
        ForwardHooks hooks = new ForwardHooks() {
            @Override
            public NDArray mlpInput(int layer, NDArray resid) {
                return layer == 1 ? resid.add(dirMlp.mul(alpha)) : resid;
            }

            @Override
            public NDArray headInput(int layer, HeadInput kind, NDArray resid) {
                if (layer != 2 || kind != HeadInput.K) {
                    return resid;
                }
                NDArray delta = dirK.mul(beta.expandDims(1)); // [H, D]
                return resid.expandDims(2).add(delta); // [B, T, H, D]
            }
        };
        NDArray logits = model.unembed(model.hidden(m, BATCH, hooks));
        return logits.get(":, -1, :").mul(readout).sum();
    }
}
