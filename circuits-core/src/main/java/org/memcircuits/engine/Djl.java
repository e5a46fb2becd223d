package org.memcircuits.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Locale;

/**
 * The one place that starts DJL's PyTorch engine.
 *
 * <p>DJL phones home (EC2 metadata, then S3) and downloads native libraries unless told not to;
 * neither is acceptable here, so the opt-outs are set before the engine class is first touched.
 * libtorch comes from the bundled {@code pytorch-native-cpu} jar only.
 */
public final class Djl {
    private static volatile Engine engine;
    private static volatile Device device;

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
                    NativeAllocator.tune();
                    e = Engine.getEngine("PyTorch");
                    engine = e;
                }
            }
        }
        return e;
    }

    /**
     * The device model math runs on, from {@code -Dcircuits.device} or {@code CIRCUITS_DEVICE}:
     * {@code auto} (default: the engine's default, a GPU when a CUDA build of libtorch is
     * installed), {@code cpu}, {@code gpu} or {@code gpu:N}.
     */
    public static Device device() {
        Device d = device;
        if (d == null) {
            String v = System.getProperty("circuits.device", System.getenv().getOrDefault("CIRCUITS_DEVICE", "auto"));
            d = parseDevice(v, engine());
            device = d;
        }
        return d;
    }

    /**
     * Gives the native heap's free memory back to the system. Model math keeps freed buffers for
     * reuse while a job runs ({@link NativeAllocator}); a long-running service calls this between
     * jobs. A no-op where the allocator was not tuned.
     */
    public static void releaseFreeMemory() {
        NativeAllocator.release();
    }

    /** A manager for model math on {@link #device()}. */
    public static NDManager newManager() {
        return engine().newBaseManager(device());
    }

    static Device parseDevice(String value, Engine e) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("auto")) {
            return e.defaultDevice();
        }
        if (v.equals("cpu")) {
            return Device.cpu();
        }
        if (v.equals("gpu") || v.matches("gpu:\\d+")) {
            int id = v.equals("gpu") ? 0 : Integer.parseInt(v.substring(4));
            int gpus = e.getGpuCount();
            if (id >= gpus) {
                throw new IllegalStateException("circuits.device / CIRCUITS_DEVICE is '" + value + "' but the PyTorch engine sees "
                        + gpus + " GPU(s): the bundled libtorch is CPU-only; install a CUDA build of libtorch (PYTORCH_FLAVOR,"
                        + " PYTORCH_LIBRARY_PATH) or use cpu");
            }
            return Device.gpu(id);
        }
        throw new IllegalStateException("circuits.device / CIRCUITS_DEVICE is '" + value + "'; expected auto, cpu, gpu or gpu:N");
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
