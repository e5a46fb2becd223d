package org.memcircuits.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.memcircuits.engine.Djl;
import org.memcircuits.safetensors.SafeTensorsWriter;
import org.memcircuits.tokenizer.Gpt2Tokenizer;

/**
 * Writes a randomly initialised checkpoint in Hugging Face layout (GPT-2's init: weights N(0,
 * 0.02), LayerNorm 1/0, biases 0). Random numbers come from Java's {@link SplittableRandom}, so a
 * seed gives the same bytes on every machine and libtorch build.
 */
public final class RandomCheckpoint {
    private RandomCheckpoint() {}

    public static void write(ModelConfig c, long seed, Path dir) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom rng = new SplittableRandom(seed);
        WeightNames n = WeightNames.canonical(c.family());
        int d = c.dModel();
        int f = c.dMlp();
        try (NDManager m = Djl.engine().newBaseManager()) {
            Gen g = new Gen(m, rng);
            Map<String, NDArray> t = new LinkedHashMap<>();
            t.put(n.wte(), g.normal(c.vocabSize(), d));
            t.put(n.wpe(), g.normal(c.maxPositions(), d));
            for (int i = 0; i < c.nLayers(); i++) {
                t.put(n.layer(i, "ln_1.weight"), g.fill(1f, d));
                t.put(n.layer(i, "ln_1.bias"), g.fill(0f, d));
                if (c.family() == ModelConfig.Family.GPT_NEO) {
                    for (String p : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                        t.put(n.layer(i, "attn.attention." + p + ".weight"), g.normal(d, d));
                    }
                    t.put(n.layer(i, "attn.attention.out_proj.bias"), g.fill(0f, d));
                    t.put(n.layer(i, "mlp.c_fc.weight"), g.normal(f, d));
                    t.put(n.layer(i, "mlp.c_proj.weight"), g.normal(d, f));
                } else {
                    t.put(n.layer(i, "attn.c_attn.weight"), g.normal(d, 3 * d));
                    t.put(n.layer(i, "attn.c_attn.bias"), g.fill(0f, 3 * d));
                    t.put(n.layer(i, "attn.c_proj.weight"), g.normal(d, d));
                    t.put(n.layer(i, "attn.c_proj.bias"), g.fill(0f, d));
                    t.put(n.layer(i, "mlp.c_fc.weight"), g.normal(d, f));
                    t.put(n.layer(i, "mlp.c_proj.weight"), g.normal(f, d));
                }
                t.put(n.layer(i, "ln_2.weight"), g.fill(1f, d));
                t.put(n.layer(i, "ln_2.bias"), g.fill(0f, d));
                t.put(n.layer(i, "mlp.c_fc.bias"), g.fill(0f, f));
                t.put(n.layer(i, "mlp.c_proj.bias"), g.fill(0f, d));
            }
            t.put(n.lnf("weight"), g.fill(1f, d));
            t.put(n.lnf("bias"), g.fill(0f, d));
            SafeTensorsWriter.write(dir.resolve("model.safetensors"), t, Map.of("format", "pt", "seed", Long.toString(seed)));
        }
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), c.toJson());
        try (Gpt2Tokenizer tok = Gpt2Tokenizer.bundled()) {
            tok.writeTo(dir);
        }
    }

    private record Gen(NDManager m, SplittableRandom rng) {
        NDArray normal(long... shape) {
            ByteBuffer b = buffer(shape);
            while (b.hasRemaining()) {
                b.putFloat((float) (rng.nextGaussian() * 0.02));
            }
            return m.create(b.flip(), new Shape(shape), DataType.FLOAT32);
        }

        NDArray fill(float v, long... shape) {
            ByteBuffer b = buffer(shape);
            while (b.hasRemaining()) {
                b.putFloat(v);
            }
            return m.create(b.flip(), new Shape(shape), DataType.FLOAT32);
        }

        private static ByteBuffer buffer(long... shape) {
            return ByteBuffer.allocateDirect(Math.toIntExact(new Shape(shape).size() * 4)).order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}
