package org.memcircuits.cli.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.memcircuits.engine.Djl;

/**
 * The machine's own ceiling: libtorch fp32 GEMM throughput, measured in the same run as a benchmark
 * so that ratios compare across machines.
 */
public final class GemmProbe {
    private GemmProbe() {}

    /** Best-of GFLOP/s of an n x n x n matmul. */
    public static double gflops(int n, int reps) {
        try (NDManager m = Djl.newManager()) {
            NDArray a = m.randomNormal(0, 1, new Shape(n, n), DataType.FLOAT32);
            NDArray b = m.randomNormal(0, 1, new Shape(n, n), DataType.FLOAT32);
            double best = Double.MAX_VALUE;
            for (int i = 0; i < reps + 2; i++) {
                try (NDManager s = m.newSubManager()) {
                    NDArray x = a.duplicate();
                    x.attach(s);
                    long t0 = System.nanoTime();
                    NDArray c = x.matMul(b);
                    c.getFloat(0, 0); // forces completion
                    long dt = System.nanoTime() - t0;
                    if (i >= 2) {
                        best = Math.min(best, dt);
                    }
                }
            }
            return 2.0 * n * n * n / best;
        }
    }
}
