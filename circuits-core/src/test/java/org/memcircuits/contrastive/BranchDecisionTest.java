package org.memcircuits.contrastive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memcircuits.contracts.ScoreRecord;
import org.memcircuits.tokenizer.Gpt2Tokenizer;

/** Skip rules, the decode/re-encode round trip, length mismatches and deduplication of branch pairs. */
class BranchDecisionTest {
    private static Gpt2Tokenizer tok;
    private static long[] ctx;
    private static long[] truth;
    private static final int P = 8;

    @BeforeAll
    static void init() {
        tok = Gpt2Tokenizer.bundled();
        long[] ids = tok.encode(" The old mill stood by the river for many years and the village grew up around it");
        ctx = Arrays.copyOf(ids, P);
        truth = Arrays.copyOfRange(ids, P, P + 4);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    private static long id(String s) {
        long[] ids = tok.encode(s);
        assertThat(ids).hasSize(1);
        return ids[0];
    }

    private static Divergence at(int doc, int pos, long... generated) {
        ScoreRecord r = new ScoreRecord(doc, ctx, tok.decode(ctx, true), truth, tok.decode(truth, true), truth,
                tok.decode(truth, true), 1.0);
        return new Divergence(r, pos, pos < P, generated, pos < P ? 1.0 : 1.0, pos < P ? 0.25 : 1.0, P - pos + 1);
    }

    /** whole[pos:] with the first token replaced, for a branch at pos with P+4-pos generated tokens. */
    private static long[] gen(int pos, long first, long second) {
        long[] whole = new long[P + 4];
        System.arraycopy(ctx, 0, whole, 0, P);
        System.arraycopy(truth, 0, whole, P, 4);
        long[] g = Arrays.copyOfRange(whole, pos, whole.length);
        g[0] = first;
        g[1] = second;
        return g;
    }

    @Test
    void pairsSideRowsAndEveryFilterIsCounted(@TempDir Path tmp) throws Exception {
        long[] whole = new long[P + 4];
        System.arraycopy(ctx, 0, whole, 0, P);
        System.arraycopy(truth, 0, whole, P, 4);
        long cat = id(" cat");
        long dog = id(" dog");
        // ctx[:5] = " The old mill stood by"; the memorized token at 5 is " the".
        Divergence ok = at(1, 5, gen(5, cat, dog));
        Divergence fallbackSameFirst = at(2, P, Arrays.copyOfRange(whole, P, whole.length));
        Divergence sameSecond = at(3, 5, gen(5, cat, whole[6]));
        Divergence duplicate = at(4, 5, gen(5, cat, dog));
        // " by" + "e" re-encodes as one token " bye": the corrupt prompt is one token shorter than the clean one.
        long e = id("e");
        Divergence glued = at(5, 5, gen(5, e, dog));
        ContrastiveSummary sum = new ContrastiveSummary("divergence");
        BranchDecision.Result r = BranchDecision.build(List.of(ok, fallbackSameFirst, sameSecond, duplicate, glued), tok, false, sum);

        String prefix = tok.decode(Arrays.copyOf(ctx, 5), false);
        assertThat(prefix).isEqualTo(" The old mill stood by");
        ContrastivePair first = r.prompts().get(0);
        assertThat(first.clean()).isEqualTo(prefix + " the");
        assertThat(first.corrupt()).isEqualTo(prefix + " cat");
        assertThat(first.answers()).containsExactly(tok.decode(new long[] {whole[6]}, false));
        assertThat(first.wrongAnswers()).containsExactly(" dog");
        assertThat(first.similarityScore()).isNull();

        long[] gluedIds = tok.encode(prefix + "e");
        assertThat(gluedIds.length).as("precondition: the suffix glues on").isNotEqualTo(tok.encode(prefix + " the").length);
        // Kept by default (discovery left-pads), counted either way.
        assertThat(r.prompts()).hasSize(2);
        assertThat(r.prompts().get(1).corrupt()).isEqualTo(prefix + "e");
        assertThat(sum.filter("length_mismatch").matched()).isEqualTo(1);
        assertThat(sum.filter("length_mismatch").removed()).isZero();
        assertThat(sum.count("corrupt_round_trip_changed")).isEqualTo(1);
        assertThat(sum.count("clean_round_trip_changed")).isZero();
        assertThat(sum.filter("same_first_token").removed()).isEqualTo(1);
        assertThat(sum.filter("same_second_token").removed()).isEqualTo(1);
        assertThat(sum.filter("duplicate_pair").removed()).isEqualTo(1);
        assertThat(sum.count("branch_found")).isEqualTo(4);
        assertThat(sum.count("no_branch_found_full_context")).isEqualTo(1);
        assertThat(sum.count("pairs")).isEqualTo(2);

        // Side rows: every sample but the one without a branch, in order.
        assertThat(r.divergence()).hasSize(4);
        DivergenceRecord row = r.divergence().get(0);
        assertThat(row.minimalContext()).isEqualTo(prefix);
        assertThat(row.nextGtTokens()).isEqualTo(tok.decodeEach(Arrays.copyOfRange(whole, 5, whole.length)));
        assertThat(row.nextGeneratedTokens().subList(0, 2)).containsExactly(" cat", " dog");
        assertThat(row.divergingPosition()).isEqualTo(5.0);
        assertThat(row.scoreBefore()).isEqualTo(1.0);
        assertThat(row.scoreAfter()).isEqualTo(0.25);

        // With the filter the mismatched pair goes, and the summary says so.
        ContrastiveSummary filtered = new ContrastiveSummary("divergence");
        BranchDecision.Result f = BranchDecision.build(List.of(ok, glued), tok, true, filtered);
        assertThat(f.prompts()).hasSize(1);
        assertThat(filtered.filter("length_mismatch").removed()).isEqualTo(1);
        assertThat(filtered.filter("length_mismatch").applied()).isTrue();

        // The side file and dataset survive a write/read.
        Path side = tmp.resolve("divergence.jsonl");
        ContrastiveFiles.writeDivergence(side, r.divergence());
        assertThat(ContrastiveFiles.readDivergence(side)).isEqualTo(r.divergence());
        ContrastiveFiles.writePrompts(tmp.resolve("p.json"), r.prompts());
        assertThat(tmp.resolve("p.json")).content().contains("\"wrong_answers\"").doesNotContain("similarity_score");
        ContrastiveFiles.writeSummary(tmp.resolve("s.json"), sum);
        assertThat(tmp.resolve("s.json")).content().contains("\"length_mismatch\"").contains("\"diverging_positions\"");
    }
}
