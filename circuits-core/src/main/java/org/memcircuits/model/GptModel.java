package org.memcircuits.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.jni.JniUtils;
import org.memcircuits.InvalidInputException;
import org.memcircuits.engine.Djl;
import org.memcircuits.safetensors.SafeTensorsFile;

/**
 * The GPT-Neo / GPT-2 decoder, in one readable forward pass that also serves circuit work through
 * {@link ForwardHooks}. Exactly Hugging Face's numerics: GPT-Neo has no 1/sqrt(dHead) scaling, local
 * attention on the layers its config marks, q/k/v without bias; GPT-2 scales and has biases.
 *
 * <p>Memory discipline: every intermediate is created in the caller's manager (activations are
 * always the first operand, so DJL attaches results to it); the model's own manager only ever holds
 * weights.
 */
public final class GptModel implements AutoCloseable {
    /** Large but finite: a fully masked (pad) query row stays finite, so NaN never reaches a gradient. */
    private static final float MASKED = -1e30f;

    private final ModelConfig config;
    private final ModelWeights w;
    private final NDManager manager;
    private final DataType dataType;
    /** The mapped file whose memory the weight arrays point into; must stay reachable. */
    @SuppressWarnings("unused")
    private final SafeTensorsFile backing;

    private GptModel(ModelConfig config, ModelWeights weights, NDManager manager, DataType dataType, SafeTensorsFile backing) {
        this.config = config;
        this.w = weights;
        this.manager = manager;
        this.dataType = dataType;
        this.backing = backing;
    }

    /**
     * Loads weights (memory-mapped) in {@code dataType}: FLOAT32 normally, FLOAT64 for exact
     * gradient checks. The weights' manager is capped: an activation that would attach to it throws
     * instead of leaking.
     */
    public static GptModel load(SafeTensorsFile weights, ModelConfig config, DataType dataType) {
        NDManager m = Djl.newManager();
        try {
            ModelWeights w = ModelWeights.load(weights, config, m, dataType);
            m.cap();
            return new GptModel(config, w, m, dataType, weights);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** A fresh manager for activations; close it (try-with-resources) when the results are used. */
    public NDManager newManager() {
        return Djl.newManager();
    }

    public ModelConfig config() {
        return config;
    }

    public DataType dataType() {
        return dataType;
    }

    /** Block {@code l}'s weights (read-only; they live in {@link #weightsManager()}). */
    public LayerWeights layer(int l) {
        return w.layers().get(l);
    }

    /** The manager that holds the weights; never create activations in it. */
    public NDManager weightsManager() {
        return manager;
    }

    /** Logits [B, T, V] for a batch, no hooks. */
    public NDArray logits(NDManager m, Batch batch) {
        return unembed(hidden(m, batch, ForwardHooks.NONE, null));
    }

    /** Final hidden state after {@code ln_f} [B, T, D] (HF {@code hidden_states[-1]}). */
    public NDArray hidden(NDManager m, Batch batch, ForwardHooks hooks) {
        return hidden(m, batch, hooks, null);
    }

    /** Logits from final hidden states ([..., D] to [..., V]). */
    public NDArray unembed(NDArray hidden) {
        return hidden.matMul(w.unembedT());
    }

    /**
     * The forward pass. With a cache, {@code batch} holds only the new positions and its mask and
     * positions continue the cached ones.
     */
    public NDArray hidden(NDManager m, Batch batch, ForwardHooks hooks, KvCache cache) {
        validate(batch);
        int b = batch.size();
        int t = batch.length();
        int past = cache == null ? 0 : cache.length();
        boolean[][] keyMask;
        if (cache != null) {
            cache.append(batch.mask());
            keyMask = cache.keyMask();
        } else {
            keyMask = batch.mask();
        }
        NDArray x = embedding(m, batch);
        hooks.embedding(x);
        NDArray globalMask = attentionMask(m, keyMask, b, t, past, Integer.MAX_VALUE);
        NDArray localMask = null;
        for (int l = 0; l < config.nLayers(); l++) {
            NDArray mask = globalMask;
            if (config.isLocal(l)) {
                if (localMask == null) {
                    localMask = attentionMask(m, keyMask, b, t, past, config.windowSize());
                }
                mask = localMask;
            }
            x = block(l, x, mask, hooks, cache);
        }
        if (cache != null) {
            cache.advance(t);
        }
        return finalNorm(hooks.finalResidual(x));
    }

    /** Token plus position embeddings [B, T, D]: the residual stream before block 0. */
    public NDArray embedding(NDManager m, Batch batch) {
        int b = batch.size();
        int t = batch.length();
        NDArray ids = m.create(flatten(batch.ids()), new Shape(b, t));
        NDArray pos = m.create(flatten(batch.positions()), new Shape(b, t));
        return embed(ids, w.wte()).add(embed(pos, w.wpe()));
    }

    /** {@code ln_f} of a final residual [..., D]: what {@link #unembed} reads. */
    public NDArray finalNorm(NDArray resid) {
        return layerNorm(resid, w.lnfW(), w.lnfB());
    }

    private NDArray block(int l, NDArray resid, NDArray mask, ForwardHooks hooks, KvCache cache) {
        LayerWeights lw = w.layers().get(l);
        NDArray attnOut = attention(l, lw, resid, mask, hooks, cache);
        NDArray mid = resid.add(attnOut);
        NDArray h = layerNorm(hooks.mlpInput(l, mid), lw.ln2W(), lw.ln2B());
        NDArray mlpOut = geluNew(h.matMul(lw.wfc()).add(lw.bfc())).matMul(lw.wproj()).add(lw.bproj());
        hooks.mlpOutput(l, mlpOut);
        return mid.add(mlpOut);
    }

    private NDArray attention(int l, LayerWeights lw, NDArray resid, NDArray mask, ForwardHooks hooks, KvCache cache) {
        NDArray qIn = hooks.headInput(l, HeadInput.Q, resid);
        NDArray kIn = hooks.headInput(l, HeadInput.K, resid);
        NDArray vIn = hooks.headInput(l, HeadInput.V, resid);
        NDArray q;
        NDArray k;
        NDArray v;
        if (qIn == kIn && kIn == vIn && qIn.getShape().dimension() == 3) {
            // One input shared by all heads and all three projections: the fused GEMM.
            NDArray qkv = layerNorm(qIn, lw.ln1W(), lw.ln1B()).matMul(lw.wqkv());
            if (lw.bqkv() != null) {
                qkv = qkv.add(lw.bqkv());
            }
            NDList parts = qkv.split(3, 2);
            q = splitHeads(parts.get(0));
            k = splitHeads(parts.get(1));
            v = splitHeads(parts.get(2));
        } else {
            q = headProjection(qIn, lw, lw.wqHeads(), lw.bqHeads());
            k = headProjection(kIn, lw, lw.wkHeads(), lw.bkHeads());
            v = headProjection(vIn, lw, lw.wvHeads(), lw.bvHeads());
        }
        q = hooks.headVector(l, HeadInput.Q, q);
        k = hooks.headVector(l, HeadInput.K, k);
        v = hooks.headVector(l, HeadInput.V, v);
        if (cache != null) {
            NDArray[] kv = cache.write(l, k, v);
            k = kv[0];
            v = kv[1];
        }
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2));
        if (config.scaleAttention()) {
            double scale = 1.0 / Math.sqrt(config.dHead());
            if (config.scaleByInverseLayerIdx()) {
                scale /= (l + 1);
            }
            scores = scores.mul(Djl.constant(scores, scale));
        }
        NDArray z = scores.add(mask).softmax(-1).matMul(v); // [B, H, T, dHead]
        hooks.headMix(l, z);
        Shape s = resid.getShape();
        NDArray out = z.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(1), config.dModel()).matMul(lw.wo()).add(lw.bo());
        if (hooks.wantsHeadResults(l)) {
            // Computed beside, not instead of, the fused projection: unhooked numerics stay bit-identical.
            hooks.headResults(l, headResults(z, lw));
        }
        return out;
    }

    /**
     * Head-specific inputs: [B, T, D] (shared) or [B, T, H, D] to [B, H, T, dHead], as one batched
     * product per head ([H, B*T, D] x [H, D, dHead]) without broadcast batch dimensions, whose
     * CPU backward was seen to return NaN intermittently.
     */
    private NDArray headProjection(NDArray in, LayerWeights lw, NDArray wHeads, NDArray bHeads) {
        int h = config.nHeads();
        NDArray perHead = in.getShape().dimension() == 3 ? in.expandDims(2).repeat(2, h) : in;
        Shape s = perHead.getShape(); // [B, T, H, D]
        NDArray a = layerNorm(perHead, lw.ln1W(), lw.ln1B()).transpose(2, 0, 1, 3).reshape(h, s.get(0) * s.get(1), s.get(3));
        NDArray out = a.batchMatMul(wHeads); // [H, B*T, dHead]
        if (bHeads != null) {
            out = out.add(bHeads);
        }
        return out.reshape(h, s.get(0), s.get(1), config.dHead()).transpose(1, 0, 2, 3);
    }

    /** z [B, H, T, dHead] to each head's output before b_O, [B, T, H, D], one batched product per head. */
    private NDArray headResults(NDArray z, LayerWeights lw) {
        Shape s = z.getShape();
        int h = config.nHeads();
        NDArray zh = z.transpose(1, 0, 2, 3).reshape(h, s.get(0) * s.get(2), s.get(3));
        return zh.batchMatMul(lw.woHeads()).reshape(h, s.get(0), s.get(2), config.dModel()).transpose(1, 2, 0, 3);
    }

    private NDArray splitHeads(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), config.nHeads(), config.dHead()).transpose(0, 2, 1, 3);
    }

    private NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta) {
        return x.getNDArrayInternal()
                .layerNorm(x, new Shape(config.dModel()), gamma, beta, (float) config.layerNormEps())
                .singletonOrThrow();
    }

    private static NDArray embed(NDArray ids, NDArray table) {
        return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /** gelu_new: the tanh approximation (DJL's built-in gelu is the erf form, off by up to 4e-4). */
    static NDArray geluNew(NDArray u) {
        double c = Math.sqrt(2.0 / Math.PI);
        if (!JniUtils.isGradMode()) {
            // In place unless a GradientCollector records a graph: the MLP's widest tensor is then
            // allocated twice instead of eight times.
            NDArray t = u.mul(u).muli(u).muli(0.044715).addi(u).muli(c).tanh();
            return t.addi(1.0).muli(u).muli(0.5);
        }
        NDArray inner = u.mul(u).mul(u).mul(Djl.constant(u, 0.044715)).add(u).mul(Djl.constant(u, c)).tanh();
        return inner.add(1.0).mul(u).mul(Djl.constant(u, 0.5));
    }

    /** Additive mask [B, 1, T, past+T]: key j visible to query i iff unpadded, causal, in window. */
    private NDArray attentionMask(NDManager m, boolean[][] keyMask, int b, int t, int past, int window) {
        int tk = past + t;
        float[] a = new float[b * t * tk];
        int p = 0;
        for (int bi = 0; bi < b; bi++) {
            for (int i = 0; i < t; i++) {
                int qi = past + i;
                for (int j = 0; j < tk; j++) {
                    boolean visible = j <= qi && qi - j < window && keyMask[bi][j];
                    a[p++] = visible ? 0f : MASKED;
                }
            }
        }
        NDArray mask = m.create(a, new Shape(b, 1, t, tk));
        return dataType == DataType.FLOAT32 ? mask : mask.toType(dataType, false);
    }

    private void validate(Batch batch) {
        for (int i = 0; i < batch.size(); i++) {
            for (int j = 0; j < batch.length(); j++) {
                long id = batch.ids()[i][j];
                if (id < 0 || id >= config.vocabSize()) {
                    throw new InvalidInputException("token id " + id + " at row " + i + ", position " + j
                            + " is outside the vocabulary [0, " + config.vocabSize() + ")");
                }
                if (batch.positions()[i][j] >= config.maxPositions()) {
                    throw new InvalidInputException("sequence needs position " + batch.positions()[i][j]
                            + " but the model has max_position_embeddings " + config.maxPositions());
                }
            }
        }
    }

    private static long[] flatten(long[][] rows) {
        int t = rows.length == 0 ? 0 : rows[0].length;
        long[] out = new long[rows.length * t];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * t, t);
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
