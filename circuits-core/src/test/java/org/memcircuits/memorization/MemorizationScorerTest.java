package org.memcircuits.memorization;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.memcircuits.TestModels;
import org.memcircuits.contracts.ScoreRecord;
import org.memcircuits.contracts.ScoreStats;
import org.memcircuits.memorization.MemorizationScorer.Document;
import org.memcircuits.model.Batch;
import org.memcircuits.model.Checkpoint;
import org.memcircuits.model.GreedyGenerator;

class MemorizationScorerTest {
    private static final int P = 12;
    private static final int G = 8;
    private static Checkpoint tiny;

    @BeforeAll
    static void load() {
        tiny = Checkpoint.load(TestModels.tinyRandom());
    }

    @AfterAll
    static void close() {
        tiny.close();
    }

    private static final List<String> TEXTS = List.of(
            "The history of the city goes back to the Roman period, when a small fort was built on the hill above the river crossing.",
            "short text",
            "",
            "In mathematics, a prime number is a natural number greater than one that is not a product of two smaller natural numbers.",
            "Whales are a widely distributed and diverse group of fully aquatic placental marine mammals found in every ocean.");

    /** Reference: a plain argmax loop without cache, counting matches position by position. */
    private static int referenceMatches(long[] ids) {
        long[] seq = Arrays.copyOf(ids, P);
        int matches = 0;
        for (int k = 0; k < G; k++) {
            long next;
            try (NDManager m = tiny.model().newManager()) {
                next = tiny.model().logits(m, Batch.of(seq)).get("0, -1, :").argMax().getLong();
            }
            matches += next == ids[P + k] ? 1 : 0;
            seq = Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = next;
        }
        return matches;
    }

    @Test
    void scoresEqualAPlainArgmaxLoopAndShortDocumentsAreSkippedAndCounted() {
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < TEXTS.size(); i++) {
            docs.add(new Document(i, TEXTS.get(i)));
        }
        List<ScoreRecord> out = new ArrayList<>();
        ScoreStats stats = new MemorizationScorer(tiny, P, G, 2).score(docs.iterator(), out::add, d -> {});
        assertThat(stats.documents()).isEqualTo(5);
        assertThat(stats.scored()).isEqualTo(3);
        assertThat(stats.skippedShort()).isEqualTo(1);
        assertThat(stats.skippedInvalid()).isEqualTo(1);
        assertThat(out).extracting(ScoreRecord::document).containsExactly(0L, 3L, 4L);
        for (ScoreRecord r : out) {
            long[] ids = tiny.tokenizer().encode(TEXTS.get((int) r.document()));
            assertThat(r.context()).containsExactly(Arrays.copyOf(ids, P));
            assertThat(r.trueCompletion()).containsExactly(Arrays.copyOfRange(ids, P, P + G));
            assertThat(r.completion()).hasSize(G);
            assertThat(r.memorizationScore()).isEqualTo((double) referenceMatches(ids) / G);
            assertThat(r.decodedContext()).isEqualTo(tiny.tokenizer().decode(r.context(), true));
        }
        assertThat(Arrays.stream(stats.histogram()).sum()).isEqualTo(3);
    }

    @Test
    void aTextThatContinuesAsTheModelDoesIsFullyMemorized() {
        // By definition: a text whose true continuation is the model's own greedy output.
        long[] prompt = Arrays.copyOf(tiny.tokenizer().encode(TEXTS.get(0)), P);
        long[] gen = new GreedyGenerator(tiny.model()).generate(Batch.of(prompt), G, false)[0];
        long[] all = new long[P + G];
        System.arraycopy(prompt, 0, all, 0, P);
        System.arraycopy(gen, 0, all, P, G);
        String text = tiny.tokenizer().decode(all, false);
        List<ScoreRecord> out = new ArrayList<>();
        new MemorizationScorer(tiny, P, G, 4).score(List.of(new Document(0, text)).iterator(), out::add, d -> {});
        long[] reencoded = tiny.tokenizer().encode(text);
        // Decode/encode is not always a round trip; the score is then judged against the re-encoding.
        int expected = 0;
        for (int k = 0; k < G && P + k < reencoded.length; k++) {
            expected += reencoded[P + k] == gen[k] ? 1 : 0;
        }
        assertThat(out).hasSize(1);
        assertThat(out.get(0).matches()).isEqualTo(expected);
        if (Arrays.equals(Arrays.copyOf(reencoded, P + G), all)) {
            assertThat(out.get(0).memorizationScore()).isEqualTo(1.0);
        }
    }

    @Test
    void firstTokensOfALongTextEqualTheFullTokenization() {
        String longText = String.join(" ", java.util.Collections.nCopies(400, TEXTS.get(3)));
        MemorizationScorer s = new MemorizationScorer(tiny, P, G, 1);
        long[] full = tiny.tokenizer().encode(longText);
        assertThat(s.firstTokens(longText, 100)).containsExactly(Arrays.copyOf(full, 100));
        assertThat(s.firstTokens("tiny", 100)).containsExactly(tiny.tokenizer().encode("tiny"));
    }
}
