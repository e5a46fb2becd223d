package org.memcircuits.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.memcircuits.InvalidInputException;
import org.memcircuits.model.Batch;
import org.memcircuits.model.ForwardHooks;
import org.memcircuits.model.GptModel;
import org.memcircuits.model.GreedyGenerator;
import org.memcircuits.tokenizer.Gpt2Tokenizer;

/**
 * {@link ContrastiveModel} on a loaded GPT-Neo/GPT-2 model, in chunks of at most {@code batchSize}
 * rows. Prompts of unequal length are left-padded with an attention mask (the divergence search
 * and the next-token check always pass equal lengths, so they run unpadded). Embedding texts are
 * right-padded with EOS and averaged over their real tokens only, as the original's
 * {@code get_model_embeddings}; an empty text embeds as the zero vector (cosine 0 to everything).
 */
public final class CheckpointContrastiveModel implements ContrastiveModel {
    private final GptModel model;
    private final Gpt2Tokenizer tokenizer;
    private final GreedyGenerator generator;
    private final int batchSize;
    private final boolean eosFill;
    private final long eos;

    /**
     * @param eosFill continue a row that emitted EOS with EOS (what Hugging Face {@code generate}
     *     does in the original divergence search, which passes no {@code min_new_tokens}); the
     *     output always has exactly the requested length, where the original's shapes broke when
     *     every row of a batch stopped early.
     */
    public CheckpointContrastiveModel(GptModel model, Gpt2Tokenizer tokenizer, int batchSize, boolean eosFill) {
        if (batchSize < 1) {
            throw new InvalidInputException("batch size must be positive, got " + batchSize);
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.generator = new GreedyGenerator(model);
        this.batchSize = batchSize;
        this.eosFill = eosFill;
        this.eos = model.config().eosTokenId();
    }

    @Override
    public long[][] generate(List<long[]> prompts, int newTokens) {
        long[][] out = new long[prompts.size()][];
        for (int s = 0; s < prompts.size(); s += batchSize) {
            List<long[]> chunk = prompts.subList(s, Math.min(prompts.size(), s + batchSize));
            long[][] g = generator.generate(Batch.leftPadded(chunk, eos), newTokens, eosFill);
            System.arraycopy(g, 0, out, s, g.length);
        }
        return out;
    }

    @Override
    public long[] predictNext(List<long[]> prompts) {
        long[] out = new long[prompts.size()];
        for (int s = 0; s < prompts.size(); s += batchSize) {
            List<long[]> chunk = prompts.subList(s, Math.min(prompts.size(), s + batchSize));
            try (NDManager m = model.newManager()) {
                NDArray last = model.hidden(m, Batch.leftPadded(chunk, eos), ForwardHooks.NONE).get(":, -1, :");
                long[] next = model.unembed(last).argMax(1).toLongArray();
                System.arraycopy(next, 0, out, s, next.length);
            }
        }
        return out;
    }

    @Override
    public float[][] embed(List<String> texts) {
        int d = model.config().dModel();
        float[][] out = new float[texts.size()][];
        List<long[]> ids = new ArrayList<>();
        List<Integer> where = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String t = texts.get(i);
            long[] enc = t == null || t.isEmpty() ? new long[0] : tokenizer.encode(t);
            if (enc.length == 0) {
                out[i] = new float[d];
            } else {
                ids.add(enc);
                where.add(i);
            }
        }
        for (int s = 0; s < ids.size(); s += batchSize) {
            List<long[]> chunk = ids.subList(s, Math.min(ids.size(), s + batchSize));
            Batch b = Batch.rightPadded(chunk, eos);
            float[] mask = new float[b.size() * b.length()];
            for (int r = 0; r < b.size(); r++) {
                for (int j = 0; j < b.length(); j++) {
                    mask[r * b.length() + j] = b.mask()[r][j] ? 1f : 0f;
                }
            }
            try (NDManager m = model.newManager()) {
                NDArray h = model.hidden(m, b, ForwardHooks.NONE);
                NDArray mk = m.create(mask, new Shape(b.size(), b.length(), 1)).toType(h.getDataType(), false);
                NDArray mean = h.mul(mk).sum(new int[] {1}).div(mk.sum(new int[] {1}));
                float[] flat = mean.toType(DataType.FLOAT32, false).toFloatArray();
                for (int r = 0; r < chunk.size(); r++) {
                    float[] v = new float[d];
                    System.arraycopy(flat, r * d, v, 0, d);
                    out[where.get(s + r)] = v;
                }
            }
        }
        return out;
    }
}
