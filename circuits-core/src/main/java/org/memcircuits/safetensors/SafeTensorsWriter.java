package org.memcircuits.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Writes safetensors files that Python's {@code safetensors} opens. The file appears under its
 * final name only once complete (written beside it, then renamed), so a reader never sees half a
 * file.
 */
public final class SafeTensorsWriter {
    private SafeTensorsWriter() {}

    /** Tensors are written in the map's iteration order (pass a LinkedHashMap). */
    public static void write(Path out, Map<String, NDArray> tensors, Map<String, String> metadata)
            throws IOException {
        ObjectNode header = new ObjectMapper().createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            // sorted: the header, and so the file's bytes, must not depend on the map's iteration order
            new java.util.TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            String dtype = dtypeName(e.getKey(), a.getDataType());
            long bytes = a.size() * a.getDataType().getNumOfBytes();
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", dtype);
            ArrayNode shape = t.putArray("shape");
            for (long d : a.getShape().getShape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = new ObjectMapper().writeValueAsBytes(header);
        int pad = (int) ((8 - (json.length % 8)) % 8);
        byte[] padded = new byte[json.length + pad];
        System.arraycopy(json, 0, padded, 0, json.length);
        for (int i = json.length; i < padded.length; i++) {
            padded[i] = ' ';
        }
        Path tmp = out.resolveSibling(out.getFileName() + ".partial");
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded.length);
            len.flip();
            writeFully(ch, len);
            writeFully(ch, ByteBuffer.wrap(padded));
            for (NDArray a : tensors.values()) {
                writeFully(ch, a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
            }
            ch.force(true);
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static String dtypeName(String name, DataType t) {
        return switch (t) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case FLOAT16 -> "F16";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case INT8 -> "I8";
            case UINT8 -> "U8";
            case BOOLEAN -> "BOOL";
            default -> throw new IllegalArgumentException("tensor '" + name + "': cannot write dtype " + t);
        };
    }

}
