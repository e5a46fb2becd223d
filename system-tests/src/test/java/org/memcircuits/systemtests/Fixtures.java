package org.memcircuits.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.circuit.DiscoveryRunner;
import org.memcircuits.circuit.MinimalCircuitSearch;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.DiscoveryParams;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.memorization.MemorizationScorer;
import org.memcircuits.model.Batch;
import org.memcircuits.model.BuiltinModels;
import org.memcircuits.model.Checkpoint;
import org.memcircuits.model.GreedyGenerator;

/**
 * Inputs of the four stages, deterministic for given sizes, stored in an inputs bucket shared by a reference run and a
 * faulty run (so both derive the same job ids). Texts memorized by construction (the prompt followed by the tiny model's
 * own greedy continuation) give the contrastive stage work; the tiny model runs here, in the test JVM, for that and for a
 * circuit to verify.
 */
final class Fixtures {
    static final String MODEL = "builtin:tiny";
    static final int P = 12;
    static final int G = 8;
    private static final String[] WORDS = {"river", "bridge", "market", "castle", "harbour", "garden", "tower", "forest", "valley",
        "station", "meadow", "orchard", "chapel", "quarry", "mill", "lighthouse", "library", "square", "canal", "ferry"};

    private Fixtures() {}

    /** Ordinary text number {@code i}: long enough for P + G tokens. */
    static String text(int i) {
        String a = WORDS[i % WORDS.length];
        String b = WORDS[(i * 7 + 3) % WORDS.length];
        return "Document " + i + " describes the " + a + ", the " + b + " and the old stone road of a small town whose market "
                + "has been held every Saturday for more than " + (100 + i) + " years.";
    }

    static String jsonl(List<String> texts) {
        StringBuilder b = new StringBuilder();
        for (String t : texts) {
            b.append(EventCodec.mapper().createObjectNode().put("text", t)).append('\n');
        }
        return b.toString();
    }

    static List<String> plain(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(text(i));
        }
        return out;
    }

    /** {@code n} texts of which every other one is memorized by the tiny model by construction. */
    static List<String> withMemorized(Checkpoint tiny, int n) {
        GreedyGenerator gen = new GreedyGenerator(tiny.model());
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String t = text(i);
            if (i % 2 == 1) {
                long[] prompt = Arrays.copyOf(tiny.tokenizer().encode(t), P);
                long[] cont = gen.generate(Batch.of(prompt), G + 4, false)[0];
                long[] all = new long[P + cont.length];
                System.arraycopy(prompt, 0, all, 0, P);
                System.arraycopy(cont, 0, all, P, cont.length);
                t = tiny.tokenizer().decode(all, false);
            }
            out.add(t);
        }
        return out;
    }

    static Checkpoint tiny() {
        return Checkpoint.load(BuiltinModels.resolve(MODEL));
    }

    static ArtifactRef putText(ArtifactStore inputs, String key, String text, String mediaType) {
        return inputs.put(key, text.getBytes(StandardCharsets.UTF_8), mediaType);
    }

    /** A scores JSONL (stage 1's output format) of {@code texts}, scored here with the tiny model. */
    static ArtifactRef scores(Checkpoint tiny, ArtifactStore inputs, String key, List<String> texts) {
        try {
            List<MemorizationScorer.Document> docs = new ArrayList<>();
            for (String t : texts) {
                docs.add(new MemorizationScorer.Document(docs.size(), t));
            }
            Path out = Files.createTempFile("scores", ".jsonl");
            new MemorizationScorer(tiny, P, G, 4).scoreToJsonl(docs.iterator(), out, d -> {});
            ArtifactRef ref = inputs.put(key, out, "application/x-ndjson");
            Files.deleteIfExists(out);
            return ref;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A contrastive dataset ({@code {"prompts":[...]}}) of {@code n} clean/corrupt pairs. */
    static String dataset(int n) {
        StringBuilder b = new StringBuilder("{\"prompts\":[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"clean\":\"The old ").append(WORDS[i % WORDS.length]).append(" stood near the\",")
                    .append("\"corrupt\":\"The old ").append(WORDS[(i + 3) % WORDS.length]).append(" stood near the\",")
                    .append("\"answers\":[\" town\"],\"wrong_answers\":[\" sea\"]}");
        }
        return b.append("]}").toString();
    }

    /** Prune scores of {@code dataset} (discovery without search, here), for a verification request. */
    static ArtifactRef pruneScores(Checkpoint tiny, ArtifactStore inputs, String key, String datasetJson) {
        try {
            Path dir = Files.createTempDirectory("prune");
            Path ds = dir.resolve("ds.json");
            Files.writeString(ds, datasetJson);
            DiscoveryRunner.run(tiny, MODEL, ds, new DiscoveryParams(2, null, null, null, null, null, null, null, 0.5, null, 8, null,
                    null, null, false), dir.resolve("disc"), new DiscoveryRunner.Progress() {
                        @Override
                        public void attribution(int b1, int b2, int s1, int s2) {}

                        @Override
                        public void evaluation(MinimalCircuitSearch.Evaluation e) {}
                    });
            return inputs.put(key, dir.resolve("disc/prune_scores.safetensors"), "application/octet-stream");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
