package org.memcircuits.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line contract users script against. */
class MainTest {
    private static final String FIXTURE = Path.of("../circuits-core/src/test/fixtures/tiny-gpt-neo").toString();

    record Run(int code, String out, String err) {
        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(out);
        }
    }

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void logitsAndGenerateOnIds() throws Exception {
        Run logits = run("logits", "--model", FIXTURE, "--ids", "1,2,3");
        assertThat(logits.code()).as(logits.err()).isZero();
        JsonNode l = logits.json();
        assertThat(l.get("ids")).hasSize(3);
        assertThat(l.get("logits")).hasSize(3);
        assertThat(l.get("logits").get(0)).hasSize(101);

        Run gen = run("generate", "--model", FIXTURE, "--ids", "1,2,3", "--new-tokens", "5");
        assertThat(gen.code()).as(gen.err()).isZero();
        JsonNode g = gen.json();
        assertThat(g.get("generated")).hasSize(5);
        assertThat(g.get("ids")).hasSize(8);
        // The first generated token is the argmax of the last position's logits.
        JsonNode last = l.get("logits").get(2);
        int argmax = 0;
        for (int i = 1; i < last.size(); i++) {
            if (last.get(i).asDouble() > last.get(argmax).asDouble()) {
                argmax = i;
            }
        }
        assertThat(g.get("generated").get(0).asInt()).isEqualTo(argmax);
    }

    @Test
    void textCommandsOnAnInitialisedModel(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("tiny");
        Run init = run("init-model", "--preset", "tiny", "--seed", "3", "--out", dir.toString());
        assertThat(init.code()).as(init.err()).isZero();
        assertThat(dir.resolve("model.safetensors")).exists();
        assertThat(dir.resolve("tokenizer.json")).exists();

        Run tok = run("tokenize", "--model", dir.toString(), "--text", "Hello world");
        assertThat(tok.json().get("ids").toString()).isEqualTo("[15496,995]");

        Run gen = run("generate", "--model", dir.toString(), "--text", "Hello world", "--new-tokens", "4");
        assertThat(gen.code()).as(gen.err()).isZero();
        assertThat(gen.json().get("text").isTextual()).isTrue();

        Run again = run("init-model", "--preset", "tiny", "--out", dir.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("already holds a model.safetensors");
    }

    @Test
    void badInputIsAClearErrorWithNonZeroExit(@TempDir Path tmp) throws Exception {
        Run badId = run("generate", "--model", FIXTURE, "--ids", "1,500", "--new-tokens", "2");
        assertThat(badId.code()).isEqualTo(2);
        assertThat(badId.err()).contains("token id 500").contains("vocabulary");

        Run notInt = run("logits", "--model", FIXTURE, "--ids", "1,x");
        assertThat(notInt.code()).isEqualTo(2);
        assertThat(notInt.err()).contains("'x' is not an integer");

        Run noTok = run("generate", "--model", FIXTURE, "--text", "hi");
        assertThat(noTok.code()).isEqualTo(2);
        assertThat(noTok.err()).contains("no tokenizer");

        Run missing = run("logits", "--model", tmp.resolve("none").toString(), "--ids", "1");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("model directory not found");

        Files.createDirectories(tmp.resolve("bad"));
        Files.writeString(tmp.resolve("bad/config.json"), "{\"model_type\":\"bert\"}");
        Run bert = run("logits", "--model", tmp.resolve("bad").toString(), "--ids", "1");
        assertThat(bert.err()).contains("model_type 'bert' is not supported");

        Run both = run("logits", "--model", FIXTURE, "--ids", "1", "--text", "a");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
    }

    @Test
    void discoverWritesScoresGraphResultAndDrawing(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("tiny");
        assertThat(run("init-model", "--preset", "tiny", "--seed", "5", "--out", model.toString()).code()).isZero();
        StringBuilder b = new StringBuilder("{\"prompts\":[");
        String[] words = {"river", "bridge", "market", "castle", "harbour", "garden", "tower", "forest"};
        for (int i = 0; i < words.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"clean\":\"The old ").append(words[i]).append(" stood near the\",")
                    .append("\"corrupt\":\"The old ").append(words[(i + 3) % words.length]).append(" stood near the\",")
                    .append("\"answers\":[\" town\"],\"wrong_answers\":[\" sea\"]}");
        }
        Files.writeString(tmp.resolve("ds.json"), b.append("]}"));
        Path out = tmp.resolve("out");
        Run r = run("discover", "--model", model.toString(), "--dataset", tmp.resolve("ds.json").toString(), "--ig-steps", "2",
                "--batch-size", "3", "--train-fraction", "0.5", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode res = r.json();
        assertThat(res.get("total_edges").asInt()).isEqualTo(110);
        assertThat(res.get("faithfulness").asDouble()).isGreaterThanOrEqualTo(0.85);
        assertThat(res.get("search_trace").size()).isPositive();
        assertThat(out.resolve("prune_scores.safetensors")).exists();
        assertThat(out.resolve("circuit.svg")).content().startsWith("<svg");
        JsonNode graph = new ObjectMapper().readTree(out.resolve("graph.json").toFile());
        assertThat(graph.get("edges").size()).isEqualTo(110);
        assertThat(graph.get("edges").has("input->a0.h1<q>")).isTrue();
        assertThat(graph.get("edges").has("m1->logits")).isTrue();
        assertThat(graph.get("nodes").get("logits").get("in_graph").asBoolean()).isTrue();

        Run bad = run("discover", "--model", model.toString(), "--dataset", tmp.resolve("ds.json").toString(), "--loss", "huge",
                "--out", out.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("loss: expected one of").contains("'huge'");
    }
}
