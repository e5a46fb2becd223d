package org.memcircuits.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.memcircuits.contracts.ScoreRecord;
import org.memcircuits.tokenizer.Gpt2Tokenizer;

/** Pairing for the memorization-decision dataset, with and without divergence data, on scripted models. */
class MemorizationDecisionTest {
    private static final int P = 6;
    private static Gpt2Tokenizer tok;

    @BeforeAll
    static void init() {
        tok = Gpt2Tokenizer.bundled();
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    /** Ids of space-separated words, each one token (" red", " green", ...). */
    private static long[] words(String s) {
        List<Long> out = new ArrayList<>();
        for (String w : s.trim().split(" ")) {
            long[] ids = tok.encode(" " + w);
            assertThat(ids).as(w).hasSize(1);
            out.add(ids[0]);
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static ScoreRecord rec(long doc, long[] ctx, double score) {
        long[] truth = words("alpha beta");
        long[] completion = score > 0 ? truth : words("gamma delta"); // the model's greedy output
        return new ScoreRecord(doc, ctx, tok.decode(ctx, true), completion, tok.decode(completion, true), truth,
                tok.decode(truth, true), score);
    }

    private static ScoreRecord rec(long doc, String ctx, double score) {
        return rec(doc, words(ctx), score);
    }

    /** The side-file row the divergence stage writes for a branch at d (the model said " stone"). */
    private static DivergenceRecord row(ScoreRecord r, int d, double scoreBefore) {
        long[] whole = Arrays.copyOf(r.context(), P + r.trueCompletion().length);
        System.arraycopy(r.trueCompletion(), 0, whole, P, r.trueCompletion().length);
        long[] gen = Arrays.copyOfRange(whole, d, whole.length);
        gen[0] = words("stone")[0];
        return new DivergenceRecord(tok.decode(Arrays.copyOf(r.context(), d), false),
                tok.decodeEach(Arrays.copyOfRange(whole, d, whole.length)), tok.decodeEach(gen), d, scoreBefore, 0.2);
    }

    @Test
    void withDivergenceTheFirstSimilarCandidateThatPredictsTheMemorizedTokenIsTaken() {
        ScoreRecord h1 = rec(1, "red green blue apple pear plum", 1.0);
        ScoreRecord h2 = rec(2, "red pink blue apple pear fig", 0.9);
        ScoreRecord h3 = rec(3, "one two three four five six", 1.0); // its row has score_before 0.5
        ScoreRecord h4 = rec(4, "seven eight nine ten one two", 1.0); // branch at P-1
        ScoreRecord h5 = rec(5, "cold warm hot seven eight nine", 1.0); // no row
        ScoreRecord h6 = rec(6, "big horse small tall apple one", 1.0); // nobody has " horse" at 1
        ScoreRecord h7 = rec(7, "red green small tall apple two", 1.0); // candidates at 1, none predicts " green"
        long[] split = new long[] {words("it")[0], 447, 247, words("a")[0], words("fine")[0], words("day")[0]};
        ScoreRecord h8 = rec(8, split, 1.0); // "’" split over two tokens: the rebuilt string cannot match
        ScoreRecord mid = rec(9, "red green blue apple stone fig", 0.5);
        ScoreRecord l1 = rec(11, "red green blue apple stone wood", 0.0);
        ScoreRecord l2 = rec(12, "red green pink apple stone wood", 0.0);
        ScoreRecord l3 = rec(13, "cold warm hot apple stone wood", 0.0);
        ScoreRecord l4 = rec(14, "red green blue stone apple wood", 0.0);
        List<ScoreRecord> records = List.of(h2, h1, h3, h4, h5, h6, h7, h8, mid, l1, l2, l3, l4);
        DivergenceRecord stray = new DivergenceRecord(" nowhere", List.of(" a", " b", " c"), List.of(" x", " y", " z"), 3, 1.0, 0.1);
        List<DivergenceRecord> rows = List.of(row(h1, 3, 1.0), row(h2, 3, 0.8), row(h3, 3, 0.5), row(h4, P - 1, 1.0),
                row(h6, 1, 1.0), row(h7, 1, 1.0), row(h8, 1, 1.0), stray);

        FakeModel m = new FakeModel();
        long apple = words("apple")[0];
        m.predictions.put(FakeModel.ids(words("red green blue")), words("stone")[0]);
        m.predictions.put(FakeModel.ids(words("red green pink")), apple);
        m.predictions.put(FakeModel.ids(words("cold warm hot")), apple);
        m.embeddings.put(" red green blue", new float[] {1, 0, 0});
        m.embeddings.put(" red green pink", new float[] {0.9f, 0.1f, 0});
        m.embeddings.put(" cold warm hot", new float[] {0, 1, 0});
        m.embeddings.put(" red pink blue", new float[] {0.5f, 0.5f, 0});

        ContrastiveSummary s = new ContrastiveSummary("dataset");
        MemorizationDecision.Options o = MemorizationDecision.Options.defaults(0.75).withBatchSize(1);
        List<ContrastivePair> pairs = MemorizationDecision.withDivergence(records, rows, m, tok, o, s);

        // h1: l1 (cosine 1) does not predict " apple"; l2 (0.994) does. h2: l2 (0.781) ranks above l1 and l3
        // (0.707 each). A low record may serve several high ones. Sorted by similarity.
        double simH1 = 0.9 / Math.sqrt(0.81 + 0.01);
        double simH2 = (0.45 + 0.05) / (Math.sqrt(0.5) * Math.sqrt(0.82));
        assertThat(pairs).extracting(ContrastivePair::clean, ContrastivePair::corrupt, ContrastivePair::answers,
                ContrastivePair::wrongAnswers, ContrastivePair::divergingPosition).containsExactly(
                tuple(" red green blue", " red green pink", List.of(" stone"), List.of(" apple"), 3),
                tuple(" red pink blue", " red green pink", List.of(" stone"), List.of(" apple"), 3));
        assertThat(pairs.get(0).similarityScore()).isCloseTo(simH1, within(1e-6));
        assertThat(pairs.get(1).similarityScore()).isCloseTo(simH2, within(1e-6));

        assertThat(s.count("high_records")).isEqualTo(8);
        assertThat(s.count("low_records")).isEqualTo(4);
        assertThat(s.filter("score_before_below").removed()).isEqualTo(1);
        assertThat(s.filter("no_divergence_data").removed()).isEqualTo(3); // h3, h5, h8
        assertThat(s.count("divergence_rows_unmatched")).isEqualTo(2); // h8's and the stray row
        assertThat(s.filter("branch_at_context_end").removed()).isEqualTo(1);
        assertThat(s.filter("no_candidate_sharing_branch_token").removed()).isEqualTo(1);
        assertThat(s.filter("no_candidate_predicting_branch_token").removed()).isEqualTo(1);
        assertThat(s.filter("length_mismatch").matched()).isZero();
        assertThat(s.count("pairs")).isEqualTo(2);
        // Batch size 1: h1 checks l1 then l2 (l3 never); h2 finds l2's cached; h7 checks its 3 candidates.
        assertThat(m.predictBatches).containsExactly(1, 1, 1, 1, 1);
        assertThat(s.count("predictions_run")).isEqualTo(5);
        // Each low context is embedded once per branch position.
        assertThat(m.embedded.stream().filter(" red green pink"::equals)).hasSize(1);
    }

    @Test
    void jaccardRanksByTokenOverlapAndWholeBatchesAreCheckedAtOnce() {
        ScoreRecord h1 = rec(1, "red green blue apple pear plum", 1.0);
        ScoreRecord l1 = rec(11, "red green blue apple stone wood", 0.0);
        ScoreRecord l2 = rec(12, "red green pink apple stone wood", 0.0);
        ScoreRecord l3 = rec(13, "cold warm hot apple stone wood", 0.0);
        FakeModel m = new FakeModel();
        long apple = words("apple")[0];
        m.predictions.put(FakeModel.ids(words("red green pink")), apple);
        m.predictions.put(FakeModel.ids(words("cold warm hot")), apple);
        ContrastiveSummary s = new ContrastiveSummary("dataset");
        List<ContrastivePair> pairs = MemorizationDecision.withDivergence(List.of(h1, l3, l2, l1), List.of(row(h1, 3, 1.0)), m, tok,
                MemorizationDecision.Options.defaults(0.75).with(Similarity.JACCARD).withBatchSize(8), s);
        // Jaccard of {red, green, blue} with l1: 1, with l2 {red, green, pink}: 2/4, with l3: 0.
        assertThat(pairs).singleElement().satisfies(p -> {
            assertThat(p.corrupt()).isEqualTo(" red green pink");
            assertThat(p.similarityScore()).isEqualTo(0.5);
        });
        assertThat(m.predictBatches).containsExactly(3);
        assertThat(m.embedded).isEmpty();
    }

    @Test
    void withoutDivergenceEachMemorizedRecordTakesTheMostSimilarUnusedOne() {
        ScoreRecord ha = rec(1, "red green blue apple pear plum", 1.0);
        ScoreRecord hb = rec(2, "red green blue stone wood fig", 1.0);
        ScoreRecord hc = rec(3, "cold warm hot one two three", 1.0);
        ScoreRecord la = rec(11, "red green blue apple pear fig", 0.0);
        ScoreRecord lb = rec(12, "red green blue stone wood plum", 0.0);
        ContrastiveSummary s = new ContrastiveSummary("dataset");
        MemorizationDecision.Options o = MemorizationDecision.Options.defaults(0.75).with(Similarity.JACCARD);
        List<ContrastivePair> pairs = MemorizationDecision.withoutDivergence(List.of(ha, la, hb, lb, hc), new FakeModel(), tok, o, s);
        // ha: la 5/7 vs lb 4/8 -> la; hb: only lb left (5/7); hc: nothing left.
        assertThat(pairs).extracting(ContrastivePair::clean, ContrastivePair::corrupt, ContrastivePair::similarityScore)
                .containsExactly(tuple(ha.decodedContext(), la.decodedContext(), 5.0 / 7),
                        tuple(hb.decodedContext(), lb.decodedContext(), 5.0 / 7));
        assertThat(pairs.get(0).answers()).containsExactly(" alpha");
        assertThat(pairs.get(0).wrongAnswers()).containsExactly(" gamma");
        assertThat(pairs.get(0).divergingPosition()).isNull();
        assertThat(s.filter("no_unused_low_record").removed()).isEqualTo(1);
        assertThat(s.filter("beyond_max_pairs").removed()).isZero();

        ContrastiveSummary capped = new ContrastiveSummary("dataset");
        assertThat(MemorizationDecision.withoutDivergence(List.of(ha, la, hb, lb, hc), new FakeModel(), tok, o.withMaxPairs(1), capped))
                .hasSize(1);
        assertThat(capped.filter("beyond_max_pairs").removed()).isEqualTo(2);
    }

    @Test
    void lengthMismatchesAreKeptAndCountedOrFilteredLeavingTheLowRecordAvailable() {
        // " by" + "e" decodes to " bye", which re-encodes as one token: hd's context is 6 ids but 5 tokens again.
        long[] glued = Arrays.copyOf(words("red green blue apple by"), P);
        glued[5] = tok.encode("e")[0];
        ScoreRecord hd = rec(1, glued, 1.0);
        ScoreRecord ha = rec(2, "red green blue apple pear plum", 1.0);
        ScoreRecord la = rec(11, "red green blue apple pear fig", 0.0);
        ScoreRecord lb = rec(12, "red green blue stone wood plum", 0.0);
        assertThat(tok.encode(hd.decodedContext())).hasSize(5);
        MemorizationDecision.Options o = MemorizationDecision.Options.defaults(0.75).with(Similarity.JACCARD);

        ContrastiveSummary kept = new ContrastiveSummary("dataset");
        List<ContrastivePair> k = MemorizationDecision.withoutDivergence(List.of(hd, ha, la, lb), new FakeModel(), tok, o, kept);
        // hd -> la (4/8 vs 3/9), kept; ha -> lb.
        assertThat(k).extracting(ContrastivePair::corrupt).containsExactlyInAnyOrder(la.decodedContext(), lb.decodedContext());
        assertThat(kept.filter("length_mismatch").matched()).isEqualTo(1);
        assertThat(kept.filter("length_mismatch").removed()).isZero();

        ContrastiveSummary filtered = new ContrastiveSummary("dataset");
        List<ContrastivePair> f = MemorizationDecision.withoutDivergence(List.of(hd, ha, la, lb), new FakeModel(), tok,
                o.filteringLengthMismatch(true), filtered);
        // hd's pair is dropped and la stays free, so ha takes la (5/7), as the original did.
        assertThat(f).extracting(ContrastivePair::clean, ContrastivePair::corrupt).containsExactly(tuple(ha.decodedContext(), la.decodedContext()));
        assertThat(filtered.filter("length_mismatch").removed()).isEqualTo(1);
    }

    @Test
    void withoutDivergenceEmbeddingsAreOfTheDecodedContexts() {
        ScoreRecord ha = rec(1, "red green blue apple pear plum", 1.0);
        ScoreRecord la = rec(11, "red green blue apple pear fig", 0.0);
        ScoreRecord lb = rec(12, "cold warm hot stone wood plum", 0.0);
        FakeModel m = new FakeModel();
        m.embeddings.put(ha.decodedContext(), new float[] {1, 1, 0});
        m.embeddings.put(la.decodedContext(), new float[] {0, 1, 0});
        m.embeddings.put(lb.decodedContext(), new float[] {1, 1, 0.1f});
        List<ContrastivePair> p = MemorizationDecision.withoutDivergence(List.of(ha, la, lb), m, tok,
                MemorizationDecision.Options.defaults(0.75), new ContrastiveSummary("dataset"));
        assertThat(p).singleElement().extracting(ContrastivePair::corrupt).isEqualTo(lb.decodedContext());
        assertThat(m.embedded).containsExactly(ha.decodedContext(), la.decodedContext(), lb.decodedContext());
    }

    @Test
    void theFullContextIsRebuiltWithPythonSliceSemantics() {
        DivergenceRecord r = new DivergenceRecord(" a", List.of(" b", " c", " d"), List.of(" x"), 2, 1, 1);
        assertThat(MemorizationDecision.fullContext(r, 4)).isEqualTo(" a b c");
        assertThat(MemorizationDecision.fullContext(r, 2)).isEqualTo(" a");
        assertThat(MemorizationDecision.fullContext(r, 1)).isEqualTo(" a b c"); // next_gt_tokens[:-1]
        assertThat(MemorizationDecision.fullContext(r, 9)).isEqualTo(" a b c d");
    }
}
