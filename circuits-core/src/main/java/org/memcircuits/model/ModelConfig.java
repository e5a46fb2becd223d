package org.memcircuits.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.memcircuits.InvalidInputException;

/**
 * The architecture of a GPT-Neo or GPT-2 checkpoint, read from a Hugging Face {@code config.json}.
 * Both families are the same pre-LN decoder; they differ in attention scaling, local attention and
 * biases, which this record makes explicit so the forward pass has no family switches beyond it.
 */
public record ModelConfig(
        Family family,
        int vocabSize,
        int dModel,
        int nLayers,
        int nHeads,
        int dMlp,
        int maxPositions,
        double layerNormEps,
        List<Boolean> localAttention,
        int windowSize,
        boolean scaleAttention,
        boolean scaleByInverseLayerIdx,
        int bosTokenId,
        int eosTokenId) {

    public enum Family {
        GPT_NEO("gpt_neo"),
        GPT2("gpt2");

        public final String modelType;

        Family(String modelType) {
            this.modelType = modelType;
        }
    }

    public int dHead() {
        return dModel / nHeads;
    }

    public boolean isLocal(int layer) {
        return localAttention.get(layer);
    }

    public static ModelConfig read(Path configJson) {
        if (!Files.isRegularFile(configJson)) {
            throw new InvalidInputException(configJson + ": config.json not found (a checkpoint directory needs one)");
        }
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(configJson.toFile());
        } catch (IOException e) {
            throw new InvalidInputException(configJson + ": not valid JSON: " + e.getMessage(), e);
        }
        return parse(n, configJson.toString());
    }

    static ModelConfig parse(JsonNode n, String where) {
        if (n == null || !n.isObject()) {
            throw new InvalidInputException(where + ": expected a JSON object");
        }
        String type = n.path("model_type").asText("");
        Reader r = new Reader(n, where);
        ModelConfig c;
        switch (type) {
            case "gpt_neo" -> {
                int d = r.positive("hidden_size");
                int layers = r.positive("num_layers");
                int heads = r.positive("num_heads");
                int mlp = r.optionalPositive("intermediate_size", 4 * d);
                List<Boolean> local = gptNeoLayers(n, layers, where);
                int window = r.optionalPositive("window_size", 256);
                c = new ModelConfig(Family.GPT_NEO, r.positive("vocab_size"), d, layers, heads, mlp,
                        r.positive("max_position_embeddings"), r.eps("layer_norm_epsilon"), local, window,
                        false, false, r.optionalInt("bos_token_id", 50256), r.optionalInt("eos_token_id", 50256));
            }
            case "gpt2" -> {
                int d = r.positive("n_embd");
                int layers = r.positive("n_layer");
                List<Boolean> local = new ArrayList<>();
                for (int i = 0; i < layers; i++) {
                    local.add(false);
                }
                c = new ModelConfig(Family.GPT2, r.positive("vocab_size"), d, layers, r.positive("n_head"),
                        r.optionalPositive("n_inner", 4 * d), r.positive("n_positions"), r.eps("layer_norm_epsilon"),
                        local, 0, n.path("scale_attn_weights").asBoolean(true),
                        n.path("scale_attn_by_inverse_layer_idx").asBoolean(false),
                        r.optionalInt("bos_token_id", 50256), r.optionalInt("eos_token_id", 50256));
            }
            case "" -> throw new InvalidInputException(where + ": field 'model_type' is missing (expected gpt_neo or gpt2)");
            default -> throw new InvalidInputException(
                    where + ": model_type '" + type + "' is not supported (expected gpt_neo or gpt2)");
        }
        String act = n.path("activation_function").asText("gelu_new");
        if (!act.equals("gelu_new")) {
            throw new InvalidInputException(
                    where + ": activation_function '" + act + "' is not supported (expected gelu_new)");
        }
        if (c.dModel % c.nHeads != 0) {
            throw new InvalidInputException(where + ": hidden size " + c.dModel + " is not divisible by "
                    + c.nHeads + " heads");
        }
        return c;
    }

    /** GPT-Neo spells layer kinds as {@code [[["global","local"], repeats], ...]}. */
    private static List<Boolean> gptNeoLayers(JsonNode n, int layers, String where) {
        List<Boolean> out = new ArrayList<>();
        JsonNode types = n.get("attention_types");
        if (types != null && types.isArray()) {
            for (JsonNode group : types) {
                JsonNode kinds = group.get(0);
                int repeat = group.get(1).asInt();
                for (int i = 0; i < repeat; i++) {
                    for (JsonNode k : kinds) {
                        out.add(kind(k.asText(), where));
                    }
                }
            }
        } else if (n.has("attention_layers")) {
            for (JsonNode k : n.get("attention_layers")) {
                out.add(kind(k.asText(), where));
            }
        } else {
            throw new InvalidInputException(where + ": gpt_neo config needs 'attention_types' or 'attention_layers'");
        }
        if (out.size() != layers) {
            throw new InvalidInputException(where + ": attention_types expand to " + out.size()
                    + " layers but num_layers is " + layers);
        }
        return out;
    }

    private static boolean kind(String k, String where) {
        return switch (k) {
            case "local" -> true;
            case "global" -> false;
            default -> throw new InvalidInputException(
                    where + ": attention type '" + k + "' is not supported (expected global or local)");
        };
    }

    /** Hugging Face {@code config.json} for this architecture. */
    public ObjectNode toJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("model_type", family.modelType);
        o.put("vocab_size", vocabSize);
        o.put("activation_function", "gelu_new");
        o.put("layer_norm_epsilon", layerNormEps);
        o.put("bos_token_id", bosTokenId);
        o.put("eos_token_id", eosTokenId);
        if (family == Family.GPT_NEO) {
            o.putArray("architectures").add("GPTNeoForCausalLM");
            o.put("hidden_size", dModel);
            o.put("num_layers", nLayers);
            o.put("num_heads", nHeads);
            o.put("intermediate_size", dMlp);
            o.put("max_position_embeddings", maxPositions);
            o.put("window_size", windowSize);
            ArrayNode types = o.putArray("attention_types");
            for (boolean local : localAttention) {
                types.addArray().add(o.arrayNode().add(local ? "local" : "global")).add(1);
            }
            ArrayNode layers = o.putArray("attention_layers");
            localAttention.forEach(l -> layers.add(l ? "local" : "global"));
            o.put("embed_dropout", 0.0);
            o.put("attention_dropout", 0.0);
            o.put("resid_dropout", 0.0);
        } else {
            o.putArray("architectures").add("GPT2LMHeadModel");
            o.put("n_embd", dModel);
            o.put("n_layer", nLayers);
            o.put("n_head", nHeads);
            o.put("n_inner", dMlp);
            o.put("n_positions", maxPositions);
            o.put("n_ctx", maxPositions);
            o.put("scale_attn_weights", scaleAttention);
            o.put("scale_attn_by_inverse_layer_idx", scaleByInverseLayerIdx);
        }
        return o;
    }

    private record Reader(JsonNode n, String where) {
        int positive(String field) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                throw new InvalidInputException(where + ": field '" + field + "' is missing");
            }
            if (!v.canConvertToInt() || v.asInt() <= 0) {
                throw new InvalidInputException(where + ": field '" + field + "' must be a positive integer, got " + v);
            }
            return v.asInt();
        }

        int optionalPositive(String field, int fallback) {
            JsonNode v = n.get(field);
            return v == null || v.isNull() ? fallback : positive(field);
        }

        int optionalInt(String field, int fallback) {
            JsonNode v = n.get(field);
            return v == null || v.isNull() || !v.canConvertToInt() ? fallback : v.asInt();
        }

        double eps(String field) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                return 1e-5;
            }
            if (!v.isNumber() || v.asDouble() <= 0) {
                throw new InvalidInputException(where + ": field '" + field + "' must be a positive number, got " + v);
            }
            return v.asDouble();
        }
    }
}
