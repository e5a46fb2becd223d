package org.memcircuits.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memcircuits.InvalidInputException;
import org.memcircuits.model.ModelPreset;
import org.memcircuits.model.RandomCheckpoint;
import picocli.CommandLine;

/** {@code circuits contrastive}: make-corpus, score, then both modes, on a tiny random model; and its errors. */
class ContrastiveCommandTest {
    @TempDir
    static Path tmp;
    private static Path model;
    private static Path scores;

    record Run(int code, String out, String err) {
        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(out);
        }
    }

    /** Runs a command as Main does (exit 2 for bad input), capturing stdout and stderr. */
    static Run run(Object command, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine cl = new CommandLine(command);
            cl.setExecutionExceptionHandler((ex, line, parsed) -> {
                line.getErr().println("error: " + ex.getMessage());
                return ex instanceof InvalidInputException ? 2 : 1;
            });
            int code = cl.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @BeforeAll
    static void corpusAndScores() throws Exception {
        model = tmp.resolve("tiny");
        RandomCheckpoint.write(ModelPreset.TINY.config(), 11, model);
        Path corpus = tmp.resolve("corpus.jsonl");
        Run mc = run(new MakeCorpusCommand(), "--model", model.toString(), "--documents", "5", "--memorized", "3",
                "--prompt-tokens", "12", "--generation-tokens", "6", "--out", corpus.toString());
        assertThat(mc.code()).as(mc.err()).isZero();
        scores = tmp.resolve("scores.jsonl");
        Run sc = run(new ScoreCommand(), "--model", model.toString(), "--dataset", corpus.toString(), "--prompt-tokens", "12",
                "--generation-tokens", "6", "--batch-size", "8", "--out", scores.toString());
        assertThat(sc.code()).as(sc.err()).isZero();
    }

    @Test
    void divergenceThenDatasetModesWriteTheirFilesAndCountEveryFilter() throws Exception {
        Path div = tmp.resolve("div");
        Run d = run(new ContrastiveCommand(), "--model", model.toString(), "--scores", scores.toString(), "--mode", "divergence",
                "--batch-size", "2", "--out", div.toString());
        assertThat(d.code()).as(d.err()).isZero();
        JsonNode dj = d.json();
        JsonNode stats = dj.get("stats");
        assertThat(stats.get("mode").asText()).isEqualTo("divergence");
        assertThat(stats.get("input_records").asLong()).isEqualTo(8);
        assertThat(stats.get("samples").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(stats.get("filters")).extracting(f -> f.get("filter").asText())
                .contains("duplicate", "below_threshold", "same_first_token", "same_second_token", "length_mismatch", "duplicate_pair");
        JsonNode prompts = new ObjectMapper().readTree(div.resolve("contrastive_divergence.json").toFile()).get("prompts");
        assertThat(prompts.size()).isEqualTo(dj.get("pairs").asInt()).isEqualTo(stats.get("pairs").asInt());
        List<String> side = Files.readAllLines(div.resolve("divergence.jsonl")).stream().filter(l -> !l.isBlank()).toList();
        assertThat(side).hasSize(stats.get("divergence_rows").asInt());
        if (!side.isEmpty()) {
            JsonNode row = new ObjectMapper().readTree(side.get(0));
            assertThat(row.fieldNames()).toIterable().containsExactly("minimal_context", "next_gt_tokens", "next_generated_tokens",
                    "diverging_position", "score_before", "score_after");
        }
        for (JsonNode p : prompts) {
            assertThat(p.get("answers")).hasSize(1);
            assertThat(p.get("wrong_answers")).hasSize(1);
        }
        assertThat(new ObjectMapper().readTree(div.resolve("summary.json").toFile())).isEqualTo(stats);

        Path ds = tmp.resolve("dataset");
        Run a = run(new ContrastiveCommand(), "--model", model.toString(), "--scores", scores.toString(), "--mode", "dataset",
                "--divergence", div.resolve("divergence.jsonl").toString(), "--out", ds.toString());
        assertThat(a.code()).as(a.err()).isZero();
        JsonNode as = a.json().get("stats");
        assertThat(as.get("divergence_rows").asInt()).isEqualTo(side.size());
        assertThat(as.get("similarity").asText()).isEqualTo("embedding");
        // make-corpus memorizes whole prose prompts, so the model branches right at the last context token:
        // those samples are counted under branch_at_context_end, not lost.
        long accounted = 0;
        for (JsonNode f : as.get("filters")) {
            if (f.get("unit").asText().equals("samples")) {
                accounted += f.get("removed").asLong();
            }
        }
        assertThat(accounted + as.get("pairs").asLong()).isEqualTo(as.get("joined_samples").asLong());
        assertThat(ds.resolve("contrastive_dataset.json")).exists();
        assertThat(ds.resolve("divergence.jsonl")).doesNotExist();

        Path greedy = tmp.resolve("greedy");
        Run g = run(new ContrastiveCommand(), "--model", model.toString(), "--scores", scores.toString(), "--mode", "dataset",
                "--similarity", "jaccard", "--filter-length-mismatch", "--out", greedy.toString());
        assertThat(g.code()).as(g.err()).isZero();
        JsonNode gs = g.json().get("stats");
        assertThat(gs.get("similarity").asText()).isEqualTo("jaccard");
        JsonNode lengthFilter = null;
        for (JsonNode f : gs.get("filters")) {
            if (f.get("filter").asText().equals("length_mismatch")) {
                lengthFilter = f;
            }
        }
        assertThat(lengthFilter.get("applied").asBoolean()).isTrue();
        assertThat(gs.get("pairs").asLong() + lengthFilter.get("removed").asLong())
                .isEqualTo(Math.min(gs.get("high_records").asLong(), gs.get("low_records").asLong()));
        JsonNode gp = new ObjectMapper().readTree(greedy.resolve("contrastive_dataset.json").toFile()).get("prompts");
        for (JsonNode p : gp) {
            assertThat(p.has("similarity_score")).isTrue();
            assertThat(p.has("diverging_position")).isFalse();
        }
    }

    @Test
    void badInputIsAnErrorNamingTheCulprit() throws Exception {
        Path out = tmp.resolve("bad-out");
        Run mode = run(new ContrastiveCommand(), "--model", model.toString(), "--scores", scores.toString(), "--mode", "branch",
                "--out", out.toString());
        assertThat(mode.code()).isEqualTo(2);
        assertThat(mode.err()).contains("--mode: unknown value 'branch'");

        Run missing = run(new ContrastiveCommand(), "--model", model.toString(), "--scores", tmp.resolve("nope.jsonl").toString(),
                "--mode", "divergence", "--out", out.toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.jsonl: scores file not found");

        Path bad = tmp.resolve("bad-scores.jsonl");
        Files.writeString(bad, Files.readAllLines(scores).get(0) + "\n{\"document\": 1, \"context\": \"oops\"}\n");
        Run badLine = run(new ContrastiveCommand(), "--model", model.toString(), "--scores", bad.toString(), "--mode", "divergence",
                "--out", out.toString());
        assertThat(badLine.code()).isEqualTo(2);
        assertThat(badLine.err()).contains("bad-scores.jsonl line 2").contains("context");

        Run both = run(new ContrastiveCommand(), "--model", model.toString(), "--scores", scores.toString(), "--mode", "divergence",
                "--divergence", scores.toString(), "--out", out.toString());
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("--divergence: only used with --mode dataset");

        Run sim = run(new ContrastiveCommand(), "--model", model.toString(), "--scores", scores.toString(), "--mode", "dataset",
                "--similarity", "cosine", "--out", out.toString());
        assertThat(sim.code()).isEqualTo(2);
        assertThat(sim.err()).contains("--similarity: unknown value 'cosine'");

        Run notDivergence = run(new ContrastiveCommand(), "--model", model.toString(), "--scores", scores.toString(), "--mode",
                "dataset", "--divergence", scores.toString(), "--out", out.toString());
        assertThat(notDivergence.code()).isEqualTo(2);
        assertThat(notDivergence.err()).contains("scores.jsonl line 1");
        assertThat(out).doesNotExist();
    }
}
