package org.memcircuits.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.memcircuits.engine.Djl;

/** {@link MaskGradients#productT} equals a·bᵀ whether it splits K in 4, 2 or not at all, strided operands included. */
class SplitProductTest {
    @Test
    void everySplitGivesThePlainProduct() {
        try (NDManager m = Djl.newManager()) {
            // Output sizes below 2,500 (K in 4), below 20,000 (in 2, or in 4 for a long K), above (whole), and a K
            // that 4 does not divide.
            long[][] cases = {{13, 157, 768}, {72, 66, 1536}, {40, 64, MaskGradients.LONG_K}, {144, 160, 512}, {7, 9, 2 * 3 * 7}};
            for (long[] c : cases) {
                boolean strided = c[2] < MaskGradients.LONG_K; // the long case is large enough as it is
                NDArray wide = m.randomNormal(0, 1, new Shape(c[0], (strided ? 2 : 1) * c[2]), DataType.FLOAT64);
                // A strided view, as the diff chunks are.
                NDArray a = strided ? wide.get(":, {}:{}", c[2] / 2, c[2] / 2 + c[2]) : wide;
                NDArray b = m.randomNormal(0, 1, new Shape(c[1], c[2]), DataType.FLOAT64);
                double[] expected = a.matMul(b.transpose()).toDoubleArray();
                NDArray got = MaskGradients.productT(a, b);
                assertThat(got.getShape()).isEqualTo(new Shape(c[0], c[1]));
                double[] actual = got.toDoubleArray();
                for (int i = 0; i < expected.length; i++) {
                    assertThat(actual[i]).as("case %s, element %d", java.util.Arrays.toString(c), i)
                            .isCloseTo(expected[i], within(1e-9 * (1 + Math.abs(expected[i]))));
                }
            }
        }
    }
}
