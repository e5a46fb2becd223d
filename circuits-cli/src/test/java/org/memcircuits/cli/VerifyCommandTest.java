package org.memcircuits.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** circuits verify on a tiny model: faithfulness ends, seeded random circuits, a report that renders. */
class VerifyCommandTest {
    @TempDir
    static Path tmp;

    static Path model;
    static Path dataset;
    static Path scores;

    @BeforeAll
    static void discover() throws Exception {
        model = tmp.resolve("tiny");
        assertThat(MainTest.run("init-model", "--preset", "tiny", "--seed", "9", "--out", model.toString()).code()).isZero();
        String[] words = {"river", "bridge", "market", "castle", "harbour", "garden", "tower", "forest", "valley", "station"};
        StringBuilder b = new StringBuilder("{\"prompts\":[");
        for (int i = 0; i < 6; i++) {
            b.append(i == 0 ? "" : ",").append("{\"clean\":\"The old ").append(words[i]).append(" stood near the\",")
                    .append("\"corrupt\":\"The new ").append(words[i + 4]).append(" was built by the\",")
                    .append("\"answers\":[\" town\"],\"wrong_answers\":[\" sea\"]}");
        }
        dataset = tmp.resolve("ds.json");
        Files.writeString(dataset, b.append("]}"));
        MainTest.Run d = MainTest.run("discover", "--model", model.toString(), "--dataset", dataset.toString(), "--ig-steps", "2",
                "--batch-size", "3", "--train-fraction", "0.5", "--no-search", "--out", tmp.resolve("disc").toString());
        assertThat(d.code()).as(d.err()).isZero();
        scores = tmp.resolve("disc/prune_scores.safetensors");
    }

    private static JsonNode verify(Path out, String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("verify", "--model", model.toString(), "--dataset", dataset.toString(),
                "--scores", scores.toString(), "--edges", "0,10,110", "--direction", "denoising", "--random-trials", "3",
                "--train-dataset", dataset.toString(), "--train-fraction", "0.5", "--out", out.toString()));
        args.addAll(List.of(extra));
        MainTest.Run r = MainTest.run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        return new ObjectMapper().readTree(out.resolve("result.json").toFile()).get("report");
    }

    @Test
    void faithfulnessIsZeroAtNoEdgesOneAtAllAndRandomCircuitsAreReproducible() throws Exception {
        JsonNode a = verify(tmp.resolve("v1"));
        JsonNode rows = a.get("rows");
        assertThat(rows.get(0).get("faithfulness").get("logit_diff").asDouble()).isCloseTo(0.0, within(1e-6));
        assertThat(rows.get(2).get("faithfulness").get("logit_diff").asDouble()).isCloseTo(1.0, within(1e-6));
        assertThat(rows.get(1).get("randomFaithfulness")).hasSize(3);
        assertThat(rows.get(1).get("metrics")).hasSize(9);
        // 3 of the 6 pairs were discovery's training pairs: the leakage check finds them.
        assertThat(a.get("leakedPairs").asInt()).isEqualTo(3);
        JsonNode b = verify(tmp.resolve("v2"));
        assertThat(b.get("rows").get(1).get("randomFaithfulness")).isEqualTo(rows.get(1).get("randomFaithfulness"));
        JsonNode c = verify(tmp.resolve("v3"), "--seed", "7");
        assertThat(c.get("rows").get(1).get("randomOverlap")).isNotEqualTo(rows.get(1).get("randomOverlap"));
    }

    @Test
    void theReportIsSelfContainedAndItsChartRenders() throws Exception {
        Path out = tmp.resolve("v4");
        verify(out);
        Path html = out.resolve("report.html");
        String text = Files.readString(html);
        assertThat(text).doesNotContain("<script", "src=\"http", "href=\"http", "@import").contains("RESAMPLE", "random");
        // The chart is well-formed SVG with the circuit series and one point per edge count.
        String chart = text.substring(text.indexOf("<svg class=\"chart\""), text.indexOf("</svg>", text.indexOf("<svg class=\"chart\"")) + 6);
        Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(chart.getBytes(StandardCharsets.UTF_8)));
        assertThat(svg.getElementsByTagName("polyline").getLength()).isEqualTo(2);
        assertThat(svg.getElementsByTagName("circle").getLength()).isEqualTo(3);

        String chromium = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser").stream()
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
        Assumptions.assumeTrue(chromium != null, "headless Chromium not installed (.ci/run installs it)");
        Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                html.toUri().toString()).redirectErrorStream(false).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(dom).contains("class=\"chart\"", "series-circuit", "series-random", "Circuit verification");
        assertThat(dom.split("class=\"point\"", -1)).hasSize(4);
    }
}
