package org.memcircuits.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.memcircuits.InvalidInputException;
import org.memcircuits.safetensors.SafeTensorsFile;
import org.memcircuits.safetensors.TensorInfo;

/**
 * All weights of a checkpoint, validated against its config and converted to the forward pass's
 * layout. Tensor names are Hugging Face's ({@link WeightNames}).
 */
public record ModelWeights(NDArray wte, NDArray unembedT, NDArray wpe, List<LayerWeights> layers, NDArray lnfW, NDArray lnfB) {

    public static ModelWeights load(SafeTensorsFile file, ModelConfig c, NDManager m, DataType type) {
        WeightNames names = WeightNames.detect(c.family(), file);
        Loader l = new Loader(file, m, type);
        int d = c.dModel();
        NDArray wte = l.get(names.wte(), c.vocabSize(), d);
        NDArray wpe = l.get(names.wpe(), c.maxPositions(), d);
        // Tied in every released GPT-Neo/GPT-2; an untied head is still honoured.
        NDArray unembed = file.contains(names.lmHead()) ? l.get(names.lmHead(), c.vocabSize(), d) : wte;
        NDArray unembedT = unembed.transpose();
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < c.nLayers(); i++) {
            layers.add(c.family() == ModelConfig.Family.GPT_NEO ? gptNeoLayer(l, names, c, i) : gpt2Layer(l, names, c, i));
        }
        return new ModelWeights(
                wte, unembedT, wpe, layers, l.get(names.lnf("weight"), d), l.get(names.lnf("bias"), d));
    }

    private static LayerWeights gptNeoLayer(Loader l, WeightNames n, ModelConfig c, int i) {
        int d = c.dModel();
        int f = c.dMlp();
        // nn.Linear stores [out, in]; transpose views make them x @ W.
        NDArray wq = l.get(n.layer(i, "attn.attention.q_proj.weight"), d, d).transpose();
        NDArray wk = l.get(n.layer(i, "attn.attention.k_proj.weight"), d, d).transpose();
        NDArray wv = l.get(n.layer(i, "attn.attention.v_proj.weight"), d, d).transpose();
        NDArray wqkv = NDArrays.concat(new NDList(wq, wk, wv), 1);
        NDArray wo = l.get(n.layer(i, "attn.attention.out_proj.weight"), d, d).transpose();
        return LayerWeights.of(
                l.get(n.layer(i, "ln_1.weight"), d),
                l.get(n.layer(i, "ln_1.bias"), d),
                wqkv,
                null,
                heads(wq, c),
                heads(wk, c),
                heads(wv, c),
                null,
                null,
                null,
                wo,
                outHeads(wo, c),
                l.get(n.layer(i, "attn.attention.out_proj.bias"), d),
                l.get(n.layer(i, "ln_2.weight"), d),
                l.get(n.layer(i, "ln_2.bias"), d),
                l.get(n.layer(i, "mlp.c_fc.weight"), f, d).transpose(),
                l.get(n.layer(i, "mlp.c_fc.bias"), f),
                l.get(n.layer(i, "mlp.c_proj.weight"), d, f).transpose(),
                l.get(n.layer(i, "mlp.c_proj.bias"), d));
    }

    private static LayerWeights gpt2Layer(Loader l, WeightNames n, ModelConfig c, int i) {
        int d = c.dModel();
        int f = c.dMlp();
        // Conv1D stores [in, out] already.
        NDArray wqkv = l.get(n.layer(i, "attn.c_attn.weight"), d, 3 * d);
        NDArray bqkv = l.get(n.layer(i, "attn.c_attn.bias"), 3 * d);
        NDList w = wqkv.split(3, 1);
        NDList b = bqkv.split(3, 0);
        NDArray wo = l.get(n.layer(i, "attn.c_proj.weight"), d, d);
        return LayerWeights.of(
                l.get(n.layer(i, "ln_1.weight"), d),
                l.get(n.layer(i, "ln_1.bias"), d),
                wqkv,
                bqkv,
                heads(w.get(0), c),
                heads(w.get(1), c),
                heads(w.get(2), c),
                b.get(0).reshape(c.nHeads(), 1, c.dHead()),
                b.get(1).reshape(c.nHeads(), 1, c.dHead()),
                b.get(2).reshape(c.nHeads(), 1, c.dHead()),
                wo,
                outHeads(wo, c),
                l.get(n.layer(i, "attn.c_proj.bias"), d),
                l.get(n.layer(i, "ln_2.weight"), d),
                l.get(n.layer(i, "ln_2.bias"), d),
                l.get(n.layer(i, "mlp.c_fc.weight"), d, f),
                l.get(n.layer(i, "mlp.c_fc.bias"), f),
                l.get(n.layer(i, "mlp.c_proj.weight"), f, d),
                l.get(n.layer(i, "mlp.c_proj.bias"), d));
    }

    /** [D, D] (x @ W, head h in output columns h*dHead..) to [H, D, dHead]. */
    private static NDArray heads(NDArray w, ModelConfig c) {
        return w.reshape(c.dModel(), c.nHeads(), c.dHead()).transpose(1, 0, 2).duplicate();
    }

    /** [D, D] output projection (head h in input rows h*dHead..) to [H, dHead, D]. */
    private static NDArray outHeads(NDArray wo, ModelConfig c) {
        return wo.reshape(c.nHeads(), c.dHead(), c.dModel()).duplicate();
    }

    private record Loader(SafeTensorsFile file, NDManager m, DataType type) {
        NDArray get(String name, long... shape) {
            if (!file.contains(name)) {
                throw new InvalidInputException(file.path() + ": tensor '" + name + "' is missing");
            }
            TensorInfo info = file.info(name);
            if (!new Shape(info.shape()).equals(new Shape(shape))) {
                throw new InvalidInputException(file.path() + ": tensor '" + name + "' has shape "
                        + new Shape(info.shape()) + " but config.json implies " + new Shape(shape));
            }
            return file.load(m, name, type);
        }
    }
}
