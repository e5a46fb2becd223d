package org.memcircuits.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * glibc malloc settings for libtorch on CPU, applied once before the engine loads: glibc then acts
 * as a caching allocator, as PyTorch's own allocator does on a GPU. libtorch allocates and frees
 * many large, short-lived buffers per pass (1-50 MB at batch 8, up to hundreds of MB at batch 80).
 * By default glibc serves those above its mmap threshold (at most 32 MB) with mmap and returns them
 * with munmap, and gives free heap memory back above a trim threshold; each time, the next pass
 * page-faults the memory in again, and this VM zero-fills faulted pages at about 1 GB/s. So: no
 * mmap (every buffer comes from the heap and is reused) and no trimming while a job runs;
 * {@link #release()} gives the free memory back between jobs.
 *
 * <p>One more setting only works from the process's start: {@code MALLOC_ARENA_MAX=1}, so that the
 * thread that runs the model allocates from the main heap rather than from a thread arena built of
 * 64 MB sub-heaps (the {@code circuits} launcher, the local pipeline and the service images set
 * it). Measured on EAP-IG at batch 80 (random pairs), against the earlier settings (mmap threshold
 * 32 MB, trim threshold 1 GiB): m = 5, 22.3 s per IG step before and 19.1 s after (the plain pass
 * 13.8 and 13.3 s), peak 18.0 and 18.8 GiB; m = 1 with a phase timer, 22.4 s before, 19.1 s with
 * these settings alone and 15.1 s with one arena too. At batch 8 no change shows through the noise;
 * the settings of session 2 had made steps there 30% faster. Skipped when any other
 * {@code MALLOC_*_} variable is set (the operator's choice wins), off the Linux/glibc path, or with
 * {@code -Dcircuits.malloc.tune=false}.
 */
final class NativeAllocator {
    private static final Logger LOG = LoggerFactory.getLogger(NativeAllocator.class);
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_MAX = -4;
    private static final int M_ARENA_MAX = -8;
    /** mallopt(3): a trim threshold of -1 disables trimming. */
    private static final int NO_TRIM = -1;
    private static final int TOP_PAD = 256 << 20;

    interface LibC extends Library {
        int mallopt(int param, int value);

        int malloc_trim(long pad);
    }

    private static volatile LibC tuned;

    private NativeAllocator() {}

    static void tune() {
        if (!Boolean.parseBoolean(System.getProperty("circuits.malloc.tune", "true")) || !Platform.isLinux()) {
            return;
        }
        for (String v : new String[] {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_",
                "MALLOC_MMAP_MAX_"}) {
            if (System.getenv(v) != null) {
                return;
            }
        }
        try {
            LibC c = Native.load("c", LibC.class);
            boolean ok = c.mallopt(M_ARENA_MAX, 1) == 1 && c.mallopt(M_MMAP_MAX, 0) == 1
                    && c.mallopt(M_TRIM_THRESHOLD, NO_TRIM) == 1 && c.mallopt(M_TOP_PAD, TOP_PAD) == 1;
            tuned = ok ? c : null;
            LOG.debug("malloc tuned for libtorch buffers: {}", ok);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.debug("malloc not tuned ({})", e.toString());
        }
    }

    /** Gives the heap's free memory back to the system (with {@link #tune()}'s settings it is otherwise kept). */
    static void release() {
        LibC c = tuned;
        if (c != null) {
            c.malloc_trim(0);
        }
    }
}
