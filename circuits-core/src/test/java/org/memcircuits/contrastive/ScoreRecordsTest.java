package org.memcircuits.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memcircuits.InvalidInputException;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.ScoreRecord;

/** Reading the scores JSONL: validation naming file, line and field; first-occurrence deduplication; selection. */
class ScoreRecordsTest {
    private static ScoreRecord rec(long doc, String ctx, String completion, double score) {
        return new ScoreRecord(doc, new long[] {1, 2, 3}, ctx, new long[] {4, 5}, completion, new long[] {4, 6}, "truth", score);
    }

    @Test
    void duplicatesAreDroppedBeforeTheThresholdKeepingTheFirst(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("scores.jsonl");
        Files.write(f, List.of(
                EventCodec.toJson(rec(0, "a", "x", 0.5)),
                EventCodec.toJson(rec(1, "a", "x", 1.0)), // duplicate of 0: dropped, although memorized
                "",
                EventCodec.toJson(rec(2, "b", "x", 0.8)),
                EventCodec.toJson(rec(3, "c", "x", 1.0)),
                EventCodec.toJson(rec(4, "d", "x", 0.0))));
        ContrastiveSummary s = new ContrastiveSummary("divergence");
        List<ScoreRecord> m = ScoreRecords.byScoreDescending(ScoreRecords.readUnique(f, ScoreRecords.Selection.memorized(0.75), s));
        assertThat(m).extracting(ScoreRecord::document).containsExactly(3L, 2L);
        assertThat(s.count("input_records")).isEqualTo(5);
        assertThat(s.filter("duplicate").removed()).isEqualTo(1);
        assertThat(s.filter("below_threshold").removed()).isEqualTo(2);

        ContrastiveSummary d = new ContrastiveSummary("dataset");
        assertThat(ScoreRecords.readUnique(f, ScoreRecords.Selection.highOrLow(0.75, 0.0), d))
                .extracting(ScoreRecord::document).containsExactly(2L, 3L, 4L);
        assertThat(d.filter("between_groups").removed()).isEqualTo(1);
    }

    @Test
    void badLinesNameTheFileLineAndField(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("bad.jsonl");
        String typo = EventCodec.toJson(rec(1, "b", "x", 1.0)).replace("\"context\"", "\"contxt\"");
        Files.writeString(f, EventCodec.toJson(rec(0, "a", "x", 1.0)) + "\n" + typo + "\n");
        assertThatThrownBy(() -> ScoreRecords.readUnique(f, ScoreRecords.Selection.memorized(0.75), new ContrastiveSummary("x")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("bad.jsonl line 2").hasMessageContaining("contxt");

        Files.writeString(f, EventCodec.toJson(rec(0, "a", "x", 1.0)) + "\n"
                + EventCodec.toJson(new ScoreRecord(1, new long[] {1, 2}, "b", new long[] {4, 5}, "x", new long[] {4, 6}, "t", 1.0)) + "\n");
        assertThatThrownBy(() -> ScoreRecords.readUnique(f, ScoreRecords.Selection.memorized(0.75), new ContrastiveSummary("x")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("line 2").hasMessageContaining("'context'")
                .hasMessageContaining("earlier records hold 3/2");

        Files.writeString(f, EventCodec.toJson(rec(0, "a", "x", 1.5)) + "\n");
        assertThatThrownBy(() -> ScoreRecords.readUnique(f, ScoreRecords.Selection.memorized(0.75), new ContrastiveSummary("x")))
                .hasMessageContaining("line 1").hasMessageContaining("'memorization_score' must be in [0, 1]");

        Files.writeString(f, "\n");
        assertThatThrownBy(() -> ScoreRecords.readUnique(f, ScoreRecords.Selection.memorized(0.75), new ContrastiveSummary("x")))
                .hasMessageContaining("no score records");
        assertThatThrownBy(() -> ScoreRecords.readUnique(tmp.resolve("none.jsonl"), ScoreRecords.Selection.memorized(0.75),
                new ContrastiveSummary("x"))).hasMessageContaining("none.jsonl: scores file not found");
    }

    @Test
    void badDivergenceLinesNameTheField(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("divergence.jsonl");
        Files.writeString(f, "{\"minimal_context\":\"a\",\"next_gt_tokens\":[\"b\"],\"next_generated_tokens\":[\"c\"],"
                + "\"diverging_position\":3.0,\"score_before\":1.0}\n");
        assertThatThrownBy(() -> ContrastiveFiles.readDivergence(f)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("divergence.jsonl line 1").hasMessageContaining("'score_after' is missing");
        Files.writeString(f, "{\"minimal_context\":\"a\",\"next_gt_tokens\":[\"b\"],\"next_generated_tokens\":[\"c\"],"
                + "\"diverging_position\":2.5,\"score_before\":1.0,\"score_after\":0.1}\n");
        assertThatThrownBy(() -> ContrastiveFiles.readDivergence(f)).hasMessageContaining("'diverging_position' must be a whole number");
    }
}
