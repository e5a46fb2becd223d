package org.memcircuits.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.memcircuits.TestModels;

class MemoryAndDeterminismTest {
    private static final Batch BATCH = Batch.leftPadded(
            List.of(new long[] {5, 17, 88, 3, 41, 9, 60, 12, 7, 30}, new long[] {71, 2, 33, 4, 4, 90}), 100);

    @Test
    void identicalRunsGiveBitIdenticalLogits() {
        try (Checkpoint a = Checkpoint.load(TestModels.tinyRandom());
                Checkpoint b = Checkpoint.load(TestModels.tinyRandom());
                NDManager m = a.model().newManager()) {
            float[] first = a.model().logits(m, BATCH).toFloatArray();
            float[] again = a.model().logits(m, BATCH).toFloatArray();
            float[] reloaded = b.model().logits(m, BATCH).toFloatArray();
            assertBitIdentical(again, first, "second run");
            assertBitIdentical(reloaded, first, "reloaded model");
        }
    }

    /** AssertJ's element diff is quadratic; a million logits need a plain scan. */
    private static void assertBitIdentical(float[] got, float[] want, String what) {
        assertThat(got.length).isEqualTo(want.length);
        int diffs = 0;
        int first = -1;
        double max = 0;
        for (int i = 0; i < got.length; i++) {
            if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(want[i])) {
                diffs++;
                first = first < 0 ? i : first;
                max = Math.max(max, Math.abs(got[i] - want[i]));
            }
        }
        assertThat(diffs).as("%s: %d of %d logits differ (first at %d, max |diff| %g)", what, diffs, got.length, first, max)
                .isZero();
    }

    @Test
    void longLoopsLeaveNoLiveArraysBehind() {
        try (Checkpoint c = Checkpoint.load(TestModels.tinyRandom()); NDManager outer = c.model().newManager()) {
            GptModel model = c.model();
            int weights = model.weightsManager().getManagedArrays().size();
            for (int i = 0; i < 200; i++) {
                try (NDManager m = outer.newSubManager()) {
                    model.logits(m, BATCH);
                }
            }
            GreedyGenerator gen = new GreedyGenerator(model);
            for (int i = 0; i < 20; i++) {
                gen.generate(BATCH, 8, false);
            }
            assertThat(outer.getManagedArrays()).isEmpty();
            assertThat(model.weightsManager().getManagedArrays()).hasSize(weights);
        }
    }
}
