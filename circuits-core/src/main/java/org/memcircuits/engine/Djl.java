package org.memcircuits.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.engine.Engine;

/**
 * The one place that starts DJL's PyTorch engine.
 *
 * <p>DJL phones home (EC2 metadata, then S3) and downloads native libraries unless told not to;
 * neither is acceptable here, so the opt-outs are set before the engine class is first touched.
 * libtorch comes from the bundled {@code pytorch-native-cpu} jar only.
 */
public final class Djl {
    private static volatile Engine engine;

    private Djl() {}

    /** Returns the PyTorch engine, configured offline. Safe to call from any thread. */
    public static Engine engine() {
        Engine e = engine;
        if (e == null) {
            synchronized (Djl.class) {
                e = engine;
                if (e == null) {
                    setIfAbsent("ai.djl.offline", "true");
                    setIfAbsent("OPT_OUT_TRACKING", "true");
                    setIfAbsent("PYTORCH_FLAVOR", "cpu");
                    e = Engine.getEngine("PyTorch");
                    engine = e;
                }
            }
        }
        return e;
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null && System.getenv(key) == null) {
            System.setProperty(key, value);
        }
    }

    /**
     * A 0-d constant in native memory, of {@code like}'s type and manager, for arithmetic that
     * autograd records. DJL's {@code x.mul(Number)} wraps the number in a Java direct buffer and
     * closes it when the call returns, yet autograd keeps that tensor for the backward: once the
     * buffer is collected the backward reads freed memory (seen as rare wrong or NaN gradients).
     */
    public static NDArray constant(NDArray like, double value) {
        try (NDArray javaBacked = like.getManager().create(value)) {
            // duplicate() is a native clone; toType(sameType, true) would be an alias of the Java buffer.
            NDArray c = javaBacked.duplicate();
            return c.getDataType() == like.getDataType() ? c : c.toType(like.getDataType(), false);
        }
    }
}
