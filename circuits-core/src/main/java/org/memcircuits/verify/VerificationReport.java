package org.memcircuits.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The verifier's outputs: {@code result.json} and a self-contained {@code report.html} (inline CSS
 * and SVG, no scripts, nothing fetched), readable without the README: what was measured, how
 * faithfulness is defined, the chart, every metric, and the circuit drawing.
 */
public final class VerificationReport {
    private VerificationReport() {}

    public static void writeJson(CircuitVerifier.Report r, Map<String, Object> context, Path file) throws IOException {
        Map<String, Object> out = new java.util.LinkedHashMap<>(context);
        out.put("report", r);
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), out);
    }

    public static void writeHtml(CircuitVerifier.Report r, Map<String, Object> context, String circuitSvg, Path file)
            throws IOException {
        var o = r.options();
        String primary = o.primary().name().toLowerCase();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Circuit verification</title>\n")
                .append("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}")
                .append("table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}")
                .append("th{background:#f3f4f6}.good{color:#166534;font-weight:bold}.bad{color:#991b1b}")
                .append(".note{background:#f9fafb;border-left:4px solid #94a3b8;padding:.5em 1em}</style></head><body>\n");
        h.append("<h1>Circuit verification</h1>\n<div class=\"note\"><p>");
        h.append(esc(String.format(Locale.ROOT, "Model %s, scores %s, evaluated on %s (%d pairs) with %s ablation, %s patching, %s"
                        + " direction. The graph has %d edges.", context.get("model"), context.get("scores"),
                context.get("dataset"), r.evaluationPairs(), o.ablation(), o.patch(), o.direction().name().toLowerCase(),
                r.totalEdges())));
        h.append("</p><p>Faithfulness F(k) = (M(k) &minus; M(0 edges)) / (M(all edges) &minus; M(0 edges)) for each metric M;"
                + " the two baselines are always computed with <b>RESAMPLE</b> ablation, as the original verify_circuit does,"
                + " whatever ablation the circuit itself is evaluated with. In the denoising direction F = 0 is the corrupt run"
                + " and F = 1 the clean run; in the noising direction F is the fraction of the full corruption effect"
                + " reproduced by corrupting only the circuit.</p><p>");
        h.append(esc(String.format(Locale.ROOT, "Random baseline: %d random circuits of the same size per edge count (uniform random"
                + " scores, same top-k rule, seed %d). A circuit is called better than random only when its faithfulness on %s"
                + " exceeds the random mean by more than %.3f.", o.randomTrials(), o.seed(), primary, o.margin())));
        h.append("</p><p>");
        h.append(r.leakedPairs() > 0
                ? "<b class=\"bad\">Leakage: " + r.leakedPairs() + " of " + r.evaluationPairs()
                        + " evaluation pairs are among the pairs the scores were computed on.</b>"
                : "Leakage: none of the evaluation pairs are among the training pairs given (" + esc(String.valueOf(
                        context.getOrDefault("train_pairs_checked", 0))) + " checked).");
        h.append("</p>");
        double z = r.baselineZero().get(primary);
        double a = r.baselineAll().get(primary);
        if (Math.abs(a - z) <= 1e-6 * Math.max(1, Math.max(Math.abs(a), Math.abs(z)))) {
            h.append(String.format(Locale.ROOT, "<p class=\"bad\"><b>Warning:</b> the baselines of %s differ by only %.3g"
                    + " (M(0) = %.6g, M(all) = %.6g): on this dataset the clean and corrupt runs score alike, so faithfulness on"
                    + " this metric is not meaningful.</p>", esc(primary), a - z, z, a));
        }
        h.append("</div>\n<h2>Faithfulness (").append(esc(primary)).append(") against edge count</h2>\n");
        h.append(chart(r, primary));
        h.append("<h2>All metrics</h2>\n<table><tr><th>edges (actual)</th><th>metric</th><th>value</th><th>faithfulness</th>"
                + "<th>RESAMPLE M(0)</th><th>RESAMPLE M(all)</th></tr>\n");
        for (CircuitVerifier.Row row : r.rows()) {
            for (String m : row.metrics().keySet()) {
                h.append(String.format(Locale.ROOT, "<tr><td>%d (%d)</td><td style=\"text-align:left\">%s</td><td>%.5g</td>"
                                + "<td>%.4f</td><td>%.5g</td><td>%.5g</td></tr>%n", row.requestedEdges(), row.actualEdges(), m,
                        row.metrics().get(m), row.faithfulness().get(m), r.baselineZero().get(m), r.baselineAll().get(m)));
            }
        }
        h.append("</table>\n<h2>Against random circuits</h2>\n<table><tr><th>edges</th><th>circuit F</th><th>random mean</th>"
                + "<th>random sd</th><th>mean overlap with circuit</th><th>verdict</th></tr>\n");
        for (CircuitVerifier.Row row : r.rows()) {
            double overlap = row.randomOverlap().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.3f</td><td class=\"%s\">%s</td></tr>%n",
                    row.requestedEdges(), row.faithfulness().get(primary), row.randomMean(), row.randomSd(), overlap,
                    row.betterThanRandom() ? "good" : "bad", row.betterThanRandom() ? "better than random" : "not better than random"));
        }
        h.append("</table>\n<h2>The circuit</h2>\n<p>Edges of the circuit at ").append(r.rows().isEmpty() ? 0
                : r.rows().get(0).requestedEdges()).append(" edges; width by |score|, blue positive, red negative.</p>\n");
        h.append("<div class=\"circuit\">").append(circuitSvg).append("</div>\n</body></html>\n");
        Files.writeString(file, h.toString(), StandardCharsets.UTF_8);
    }

    /** Faithfulness of the circuit and of the random mean (+-1 sd band) by edge count, log x when the range is wide. */
    static String chart(CircuitVerifier.Report r, String primary) {
        List<CircuitVerifier.Row> rows = r.rows();
        double w = 760;
        double hgt = 360;
        double left = 60;
        double bottom = 40;
        double minK = rows.stream().mapToInt(CircuitVerifier.Row::requestedEdges).min().orElse(0);
        double maxK = rows.stream().mapToInt(CircuitVerifier.Row::requestedEdges).max().orElse(1);
        boolean log = minK > 0 && maxK / Math.max(1, minK) > 50;
        double lo = Math.min(0, rows.stream().mapToDouble(x -> Math.min(x.faithfulness().get(primary), x.randomMean() - x.randomSd()))
                .filter(Double::isFinite).min().orElse(0));
        double hi = Math.max(1, rows.stream().mapToDouble(x -> Math.max(x.faithfulness().get(primary), x.randomMean() + x.randomSd()))
                .filter(Double::isFinite).max().orElse(1));
        java.util.function.DoubleUnaryOperator xs = k -> {
            double a = log ? Math.log10(Math.max(k, 1)) : k;
            double a0 = log ? Math.log10(Math.max(minK, 1)) : minK;
            double a1 = log ? Math.log10(Math.max(maxK, 1)) : maxK;
            return left + (a1 == a0 ? (w - left - 20) / 2 : (a - a0) / (a1 - a0) * (w - left - 20));
        };
        java.util.function.DoubleUnaryOperator ys = f -> hgt - bottom - (f - lo) / (hi - lo) * (hgt - bottom - 20);
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\""
                + " font-size=\"11\" font-family=\"sans-serif\">%n", w, hgt));
        s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>%n", left,
                hgt - bottom, w - 10, hgt - bottom));
        s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"20\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>%n", left, left,
                hgt - bottom));
        for (double f : new double[] {lo, 0, 0.5, 0.85, 1, hi}) {
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e7eb\"/>"
                    + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>%n", left, w - 10, ys.applyAsDouble(f),
                    ys.applyAsDouble(f), left - 4, ys.applyAsDouble(f) + 4, f));
        }
        StringBuilder band = new StringBuilder();
        StringBuilder bandBack = new StringBuilder();
        StringBuilder circuit = new StringBuilder();
        StringBuilder random = new StringBuilder();
        for (CircuitVerifier.Row row : rows) {
            double x = xs.applyAsDouble(row.requestedEdges());
            band.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, ys.applyAsDouble(row.randomMean() + row.randomSd())));
            bandBack.insert(0, String.format(Locale.ROOT, "%.1f,%.1f ", x, ys.applyAsDouble(row.randomMean() - row.randomSd())));
            circuit.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, ys.applyAsDouble(row.faithfulness().get(primary))));
            random.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, ys.applyAsDouble(row.randomMean())));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>%n", x, hgt - bottom + 16,
                    row.requestedEdges()));
        }
        if (rows.stream().allMatch(x -> Double.isFinite(x.randomSd()))) {
            s.append("<polygon class=\"random-band\" fill=\"#cbd5e1\" fill-opacity=\"0.5\" points=\"").append(band).append(bandBack)
                    .append("\"/>\n");
        }
        s.append("<polyline class=\"series-random\" fill=\"none\" stroke=\"#64748b\" stroke-dasharray=\"5,4\" points=\"")
                .append(random).append("\"/>\n");
        s.append("<polyline class=\"series-circuit\" fill=\"none\" stroke=\"#2563eb\" stroke-width=\"2\" points=\"").append(circuit)
                .append("\"/>\n");
        for (CircuitVerifier.Row row : rows) {
            s.append(String.format(Locale.ROOT, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#2563eb\">"
                            + "<title>%d edges: F=%.4f</title></circle>%n", xs.applyAsDouble(row.requestedEdges()),
                    ys.applyAsDouble(row.faithfulness().get(primary)), row.requestedEdges(), row.faithfulness().get(primary)));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">edges%s</text>%n", (w + left) / 2,
                hgt - 6, log ? " (log scale)" : ""));
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"14\" fill=\"#2563eb\">&#9473; circuit</text>"
                + "<text x=\"%.1f\" y=\"14\" fill=\"#64748b\">- - random mean &#177; 1 sd</text>%n", left + 10, left + 100));
        s.append("</svg>\n");
        return s.toString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
