package org.memcircuits.contrastive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memcircuits.TestModels;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.ScoreRecord;
import org.memcircuits.memorization.MemorizationScorer;
import org.memcircuits.model.Batch;
import org.memcircuits.model.Checkpoint;
import org.memcircuits.model.GreedyGenerator;
import org.memcircuits.tokenizer.Gpt2Tokenizer;

/**
 * Scoring, then the divergence search, then both memorization-decision datasets, on the tiny random
 * model with documents memorized by construction. Each memorized document is a 7-token prose prefix,
 * then a token t, then the model's own greedy continuation: from 8 context tokens on the model
 * reproduces it, and from 7 it says its own next token instead of t, so the branch is at 7. Each
 * has an unmemorized partner whose first 7 tokens make the model predict t, followed by t and prose:
 * the partner §5a looks for.
 */
class ContrastiveEndToEndTest {
    private static final int P = 16;
    private static final int G = 8;
    private static final int K = 7;
    private static final List<String> PROSE = List.of(
            "The old lighthouse stood at the edge of the harbour for more than two hundred years before the keepers left.",
            "Rain fell steadily over the valley, filling the narrow stream until it spilled across the meadow below.",
            "In the spring of that year the council voted to rebuild the stone bridge that carried the market road.",
            "A small museum near the station keeps a collection of clocks, maps and letters donated by local families.",
            "The river freezes most winters, and children skate on the shallow bend where the current is slow.",
            "Farmers in the northern districts grow barley and oats, and sell them at the autumn fair in town.",
            "The library moved to a larger building after the fire, taking with it the records of the parish.",
            "Two roads meet at the crossing, one leading to the coast and the other climbing into the hills.",
            "Every summer a travelling theatre sets up its tent on the green and performs for a week.",
            "The mill was powered by the stream until the railway brought coal and a steam engine replaced it.",
            "Sheep graze on the slopes above the village, and their bells can be heard from the church yard.",
            "The school opened with twelve pupils and a single teacher, who also kept the village post office.");

    private static Checkpoint tiny;
    private static Gpt2Tokenizer tok;
    private static CheckpointContrastiveModel model;

    @BeforeAll
    static void load() {
        tiny = Checkpoint.load(TestModels.tinyRandom());
        tok = tiny.tokenizer();
        model = new CheckpointContrastiveModel(tiny.model(), tok, 4, true);
    }

    @AfterAll
    static void close() {
        tiny.close();
    }

    private static long[] concat(long[]... parts) {
        int n = Arrays.stream(parts).mapToInt(a -> a.length).sum();
        long[] out = new long[n];
        int o = 0;
        for (long[] a : parts) {
            System.arraycopy(a, 0, out, o, a.length);
            o += a.length;
        }
        return out;
    }

    private static long next(long[] prompt) {
        return model.predictNext(List.of(prompt))[0];
    }

    /** The text of ids when its tokens survive decode/encode (so the scorer sees exactly these ids), else null. */
    private static String roundTripping(long[] ids) {
        String text = tok.decode(ids, false);
        long[] again = tok.encode(text);
        return again.length >= P + G && Arrays.equals(Arrays.copyOf(again, P + G), Arrays.copyOf(ids, P + G)) ? text : null;
    }

    /** Document indices: each memorized document, its unmemorized partner and its branch token. */
    record Built(List<String> documents, List<Integer> memorized, List<Integer> partners, List<Long> branchTokens) {}

    static Built build() {
        GreedyGenerator gen = new GreedyGenerator(tiny.model());
        List<String> docs = new ArrayList<>();
        List<Integer> memorized = new ArrayList<>();
        List<Integer> partners = new ArrayList<>();
        List<Long> branch = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
            long[] w = Arrays.copyOf(tok.encode(PROSE.get(j)), K);
            long t = next(w);
            long[] low = Arrays.copyOf(concat(w, new long[] {t}, tok.encode(" " + PROSE.get(j + 3))), P + G + 4);
            long[] h = Arrays.copyOf(tok.encode(PROSE.get(6 + j)), K);
            long[] start = concat(h, new long[] {t});
            long[] high = concat(start, gen.generate(Batch.of(start), P + G - K - 1 + 4, false)[0]);
            String lowText = roundTripping(low);
            String highText = roundTripping(high);
            if (lowText != null && highText != null && next(h) != t) {
                partners.add(docs.size());
                docs.add(lowText);
                memorized.add(docs.size());
                docs.add(highText);
                branch.add(t);
            }
        }
        for (String s : PROSE.subList(6, 12)) {
            docs.add(s + " " + s);
        }
        return new Built(docs, memorized, partners, branch);
    }

    @Test
    void scoresThenBranchDecisionThenMemorizationDecision(@TempDir Path tmp) throws Exception {
        Built b = build();
        assertThat(b.memorized()).as("memorized documents that survive a decode/encode round trip").hasSizeGreaterThanOrEqualTo(2);
        List<MemorizationScorer.Document> docs = new ArrayList<>();
        for (int i = 0; i < b.documents().size(); i++) {
            docs.add(new MemorizationScorer.Document(i, b.documents().get(i)));
        }
        Path scores = tmp.resolve("scores.jsonl");
        List<String> lines = new ArrayList<>();
        new MemorizationScorer(tiny, P, G, 4).score(docs.iterator(), r -> lines.add(EventCodec.toJson(r)), d -> {});
        Files.write(scores, lines);

        // Stage 1: memorized by construction, partners not at all.
        ContrastiveSummary ds = new ContrastiveSummary("divergence");
        List<ScoreRecord> memorized = ScoreRecords.byScoreDescending(
                ScoreRecords.readUnique(scores, ScoreRecords.Selection.memorized(0.75), ds));
        assertThat(memorized).extracting(r -> (int) r.document()).containsAll(b.memorized());
        ContrastiveSummary ms = new ContrastiveSummary("dataset");
        List<ScoreRecord> unique = ScoreRecords.readUnique(scores, ScoreRecords.Selection.highOrLow(0.75, 0.0), ms);
        for (int p : b.partners()) {
            assertThat(unique).filteredOn(r -> r.document() == p).singleElement()
                    .extracting(ScoreRecord::memorizationScore).isEqualTo(0.0);
        }

        // Branch decision: the branch is at K, where the model leaves the memorized text.
        DivergenceSearch.Outcome o = new DivergenceSearch(model, 4, 0.3).run(memorized, (x, y) -> {});
        GreedyGenerator alone = new GreedyGenerator(tiny.model());
        for (int j = 0; j < b.memorized().size(); j++) {
            long doc = b.memorized().get(j);
            Divergence d = o.samples().stream().filter(x -> x.record().document() == doc).findFirst().orElseThrow();
            assertThat(d.found()).isTrue();
            assertThat(d.position()).isEqualTo(K);
            assertThat(d.nextGroundTruth()[0]).isEqualTo(b.branchTokens().get(j));
            // The batched continuation equals the row generated alone, and the scores are its BLEU.
            long[] single = alone.generate(Batch.of(d.minimalContext()), P + G - K, true)[0];
            assertThat(d.generated()).containsExactly(single);
            assertThat(d.generated()[0]).isNotEqualTo(b.branchTokens().get(j));
            assertThat(d.scoreBefore()).isEqualTo(1.0);
            assertThat(d.scoreAfter()).isEqualTo((double) (float) Bleu4.smoothed(d.nextGroundTruth(), d.generated()));
            assertThat(d.lengthsTried()).isEqualTo(P - K + 1);
        }
        BranchDecision.Result br = BranchDecision.build(o.samples(), tok, false, ds);
        // Every sample is accounted for.
        assertThat(ds.filter("same_first_token").removed() + ds.count("divergence_rows")).isEqualTo(memorized.size());
        assertThat(ds.filter("no_second_token").removed() + ds.filter("same_second_token").removed()
                + ds.filter("duplicate_pair").removed() + ds.count("pairs")).isEqualTo(ds.count("divergence_rows"));
        for (ContrastivePair p : br.prompts()) {
            Divergence d = o.samples().stream().filter(x -> p.clean().equals(tok.decode(concat(x.minimalContext(),
                    new long[] {x.nextGroundTruth()[0]}), false))).findFirst().orElseThrow();
            assertThat(p.corrupt()).isEqualTo(tok.decode(concat(d.minimalContext(), new long[] {d.generated()[0]}), false));
            assertThat(p.answers()).containsExactly(tok.decode(new long[] {d.nextGroundTruth()[1]}, false));
            assertThat(p.wrongAnswers()).containsExactly(tok.decode(new long[] {d.generated()[1]}, false));
        }
        Path side = tmp.resolve("divergence.jsonl");
        ContrastiveFiles.writeDivergence(side, br.divergence());

        // Memorization decision at the branch: each memorized context meets its partner (or another record
        // with the memorized token at K on which the model predicts it).
        List<ContrastivePair> pairs = MemorizationDecision.withDivergence(unique, ContrastiveFiles.readDivergence(side), model, tok,
                MemorizationDecision.Options.defaults(0.75).withBatchSize(4), ms);
        assertThat(ms.filter("no_divergence_data").removed()).isZero();
        for (int j = 0; j < b.memorized().size(); j++) {
            long doc = b.memorized().get(j);
            long t = b.branchTokens().get(j);
            ScoreRecord high = unique.stream().filter(r -> r.document() == doc).findFirst().orElseThrow();
            String clean = tok.decode(Arrays.copyOf(high.context(), K), false);
            ContrastivePair p = pairs.stream().filter(x -> x.clean().equals(clean)).findFirst().orElseThrow();
            assertThat(p.wrongAnswers()).containsExactly(tok.decode(new long[] {t}, false));
            assertThat(p.answers()).containsExactly(tok.decode(new long[] {next(Arrays.copyOf(high.context(), K))}, false));
            assertThat(p.divergingPosition()).isEqualTo(K);
            ScoreRecord low = unique.stream().filter(r -> r.memorizationScore() == 0.0
                    && tok.decode(Arrays.copyOf(r.context(), K), false).equals(p.corrupt())).findFirst().orElseThrow();
            assertThat(low.context()[K]).isEqualTo(t);
            assertThat(next(Arrays.copyOf(low.context(), K))).isEqualTo(t);
        }
        assertThat(pairs).extracting(ContrastivePair::similarityScore).isSortedAccordingTo((x, y) -> Double.compare(y, x));

        // Without divergence data: one-to-one matching of whole contexts.
        ContrastiveSummary gs = new ContrastiveSummary("dataset");
        List<ContrastivePair> greedy = MemorizationDecision.withoutDivergence(unique, model, tok,
                MemorizationDecision.Options.defaults(0.75), gs);
        assertThat(greedy).hasSize((int) Math.min(gs.count("high_records"), gs.count("low_records")));
        Set<String> corrupts = greedy.stream().map(ContrastivePair::corrupt).collect(Collectors.toSet());
        assertThat(corrupts).hasSize(greedy.size());
    }
}
