package org.memcircuits.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.memcircuits.InvalidInputException;

/**
 * A memory-mapped safetensors file. Tensor data is never copied through the Java heap: F32 and
 * F16 tensors are handed to libtorch as slices of the mapping; only BF16 is widened in Java
 * (DJL 0.36 aborts the JVM on any BF16 tensor).
 *
 * <p>The mapping stays valid while this object is reachable; NDArrays made from it must not
 * outlive it, so whoever loads weights keeps a reference to the file.
 */
public final class SafeTensorsFile {
    /** HF's own limit; a larger header is a corrupt or hostile file. */
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private final Path path;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final MappedByteBuffer[] chunks;
    private final long dataStart;
    private static final long CHUNK = 1L << 30;

    private SafeTensorsFile(
            Path path,
            Map<String, TensorInfo> tensors,
            Map<String, String> metadata,
            MappedByteBuffer[] chunks,
            long dataStart) {
        this.path = path;
        this.tensors = tensors;
        this.metadata = metadata;
        this.chunks = chunks;
        this.dataStart = dataStart;
    }

    public static SafeTensorsFile open(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new InvalidInputException(path + ": safetensors file not found");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new InvalidInputException(
                        path + ": truncated safetensors file (" + size + " bytes, no 8-byte header length)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > size) {
                throw new InvalidInputException(
                        path + ": safetensors header length " + headerLen + " does not fit the file size " + size
                                + " (truncated or not a safetensors file)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors =
                    parseHeader(path, new String(header.array(), StandardCharsets.UTF_8), dataSize, metadata);
            int n = (int) ((size + CHUNK - 1) / CHUNK);
            MappedByteBuffer[] chunks = new MappedByteBuffer[Math.max(n, 1)];
            // Windows overlap by the largest tensor we could need past a chunk boundary is unknown,
            // so map each 1 GiB window from its own start to the end of the file (capped at 2 GiB).
            for (int i = 0; i < n; i++) {
                long start = i * CHUNK;
                long len = Math.min(size - start, Integer.MAX_VALUE);
                chunks[i] = ch.map(FileChannel.MapMode.READ_ONLY, start, len);
            }
            return new SafeTensorsFile(path, tensors, metadata, chunks, dataStart);
        } catch (IOException e) {
            throw new InvalidInputException(path + ": cannot read safetensors file: " + e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos + buf.position());
            if (r < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static Map<String, TensorInfo> parseHeader(
            Path path, String json, long dataSize, Map<String, String> metadata) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new InvalidInputException(path + ": safetensors header is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException(path + ": safetensors header is not a JSON object");
        }
        Map<String, TensorInfo> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if ("__metadata__".equals(name)) {
                v.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            String where = path + ": tensor '" + name + "'";
            if (!v.has("dtype") || !v.has("shape") || !v.has("data_offsets")) {
                throw new InvalidInputException(where + ": header entry needs dtype, shape and data_offsets");
            }
            String dtype = v.get("dtype").asText();
            int bpe = TensorInfo.bytesPerElement(dtype);
            if (bpe < 0) {
                throw new InvalidInputException(where + ": unknown dtype " + dtype);
            }
            long[] shape = new long[v.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = v.get("shape").get(i).asLong();
                if (shape[i] < 0) {
                    throw new InvalidInputException(where + ": negative dimension in shape");
                }
            }
            JsonNode offs = v.get("data_offsets");
            if (offs.size() != 2) {
                throw new InvalidInputException(where + ": data_offsets must be [begin, end]");
            }
            long begin = offs.get(0).asLong();
            long end = offs.get(1).asLong();
            TensorInfo info = new TensorInfo(name, dtype, shape, begin, end);
            if (begin < 0 || end < begin || end > dataSize) {
                throw new InvalidInputException(
                        where + ": data_offsets [" + begin + ", " + end + "] lie outside the " + dataSize
                                + " data bytes (truncated file?)");
            }
            if (end - begin != info.elementCount() * bpe) {
                throw new InvalidInputException(
                        where + ": data_offsets span " + (end - begin) + " bytes but shape needs "
                                + info.elementCount() * bpe);
            }
            out.put(name, info);
        }
        return Collections.unmodifiableMap(out);
    }

    public Path path() {
        return path;
    }

    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new InvalidInputException(path + ": tensor '" + name + "' is missing");
        }
        return t;
    }

    /** The raw little-endian bytes of a tensor, as a read-only view of the mapping. */
    public ByteBuffer bytes(String name) {
        TensorInfo t = info(name);
        long abs = dataStart + t.begin();
        int chunk = (int) (abs / CHUNK);
        long within = abs - chunk * CHUNK;
        long len = t.end() - t.begin();
        MappedByteBuffer m = chunks[chunk];
        if (within + len > m.capacity()) {
            throw new InvalidInputException(path + ": tensor '" + name + "' larger than 1 GiB is not supported");
        }
        return m.slice((int) within, (int) len).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Loads a tensor as an NDArray of {@code type} (F32 or F64) in {@code manager}. F32 data that
     * is 4-byte aligned is wrapped without a copy.
     */
    public NDArray load(NDManager manager, String name, DataType type) {
        TensorInfo t = info(name);
        Shape shape = new Shape(t.shape());
        ByteBuffer raw = bytes(name);
        NDArray a;
        switch (t.dtype()) {
            case "F32" -> {
                ByteBuffer src = raw;
                if (((dataStart + t.begin()) & 3) != 0) {
                    src = copyDirect(raw);
                }
                a = manager.create(src, shape, DataType.FLOAT32);
            }
            case "F16" -> {
                try (NDArray half = manager.create(raw, shape, DataType.FLOAT16)) {
                    a = half.toType(DataType.FLOAT32, false);
                }
            }
            case "BF16" -> a = manager.create(widenBf16(raw), shape, DataType.FLOAT32);
            case "F64" -> a = manager.create(raw, shape, DataType.FLOAT64);
            default -> throw new InvalidInputException(
                    path + ": tensor '" + name + "' has dtype " + t.dtype() + "; weights must be F32, F16, BF16 or F64");
        }
        if (a.getDataType() != type) {
            NDArray c = a.toType(type, false);
            a.close();
            a = c;
        }
        a.setName(name);
        return a;
    }

    private static ByteBuffer copyDirect(ByteBuffer src) {
        ByteBuffer dst = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        dst.put(src.duplicate());
        dst.flip();
        return dst;
    }

    /** BF16 is the top half of an F32; shifting the bits up is exact. */
    static ByteBuffer widenBf16(ByteBuffer raw) {
        int n = raw.remaining() / 2;
        ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer in = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            int bits = in.getShort() & 0xFFFF;
            out.putInt(bits << 16);
        }
        out.flip();
        return out;
    }
}
