package org.memcircuits.circuit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.memcircuits.attribution.PruneScores;
import org.memcircuits.engine.Djl;
import org.memcircuits.graph.CircuitGraph;
import org.memcircuits.safetensors.SafeTensorsWriter;

/**
 * Discovery's files: prune scores as safetensors (one tensor per destination hook, auto-circuit's
 * layout), the graph in EAP-IG's JSON layout, and an SVG drawing of the circuit.
 */
public final class DiscoveryOutputs {
    private DiscoveryOutputs() {}

    public static void writeScores(PruneScores s, Path file) throws IOException {
        try (NDManager m = Djl.engine().newBaseManager()) {
            Map<String, NDArray> t = new LinkedHashMap<>();
            for (int k = 0; k < s.names().size(); k++) {
                double[] v = s.values().get(k);
                float[] f = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    f[i] = (float) v[i];
                }
                t.put(s.names().get(k), m.create(f, new Shape(s.shapes().get(k))));
            }
            SafeTensorsWriter.write(file, t, Map.of("format", "pt", "layout", "auto-circuit PruneScores"));
        }
    }

    /**
     * Reads prune scores written by {@link #writeScores}, checking every group against the graph of
     * the model they are used with (a file from another model is an error naming the group).
     */
    public static PruneScores readScores(Path file, CircuitGraph graph) {
        org.memcircuits.safetensors.SafeTensorsFile f = org.memcircuits.safetensors.SafeTensorsFile.open(file);
        try (NDManager m = Djl.engine().newBaseManager()) {
            org.memcircuits.patching.EdgeMasks layout = org.memcircuits.patching.EdgeMasks.filled(graph, m, 0f,
                    ai.djl.ndarray.types.DataType.FLOAT32);
            java.util.List<long[]> shapes = new java.util.ArrayList<>();
            java.util.List<double[]> values = new java.util.ArrayList<>();
            for (int k = 0; k < layout.names().size(); k++) {
                String name = layout.names().get(k);
                long[] want = layout.groups().get(k).getShape().getShape();
                if (!f.contains(name)) {
                    throw new org.memcircuits.InvalidInputException(file + ": prune-score group '" + name
                            + "' is missing (scores from another model or graph?)");
                }
                long[] got = f.info(name).shape();
                if (!java.util.Arrays.equals(got, want)) {
                    throw new org.memcircuits.InvalidInputException(file + ": prune-score group '" + name + "' has shape "
                            + java.util.Arrays.toString(got) + ", the model's graph needs " + java.util.Arrays.toString(want));
                }
                NDArray a = f.load(m, name, ai.djl.ndarray.types.DataType.FLOAT64);
                shapes.add(want);
                values.add(a.toDoubleArray());
            }
            return new PruneScores(graph, layout.names(), shapes, values);
        }
    }

    /** Visits every edge as (group, index, source, destination). */
    interface EdgeVisitor {
        void edge(int group, int index, CircuitGraph.Source src, CircuitGraph.Destination dst);
    }

    static void forEachEdge(PruneScores s, EdgeVisitor v) {
        CircuitGraph g = s.graph();
        for (int k = 0; k < s.names().size(); k++) {
            String name = s.names().get(k);
            long[] shape = s.shapes().get(k);
            int sources = (int) shape[shape.length - 1];
            for (CircuitGraph.Destination d : g.destinations()) {
                if (!d.hook().equals(name)) {
                    continue;
                }
                int row = shape.length == 2 ? d.head() : 0;
                for (int src = 0; src < sources; src++) {
                    v.edge(k, row * sources + src, g.sources().get(src), d);
                }
            }
        }
    }

    public static void writeGraphJson(PruneScores s, CircuitSelection c, Path file) throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        CircuitGraph g = s.graph();
        ObjectNode cfg = root.putObject("cfg");
        cfg.put("n_layers", g.config().nLayers());
        cfg.put("n_heads", g.config().nHeads());
        cfg.put("d_model", g.config().dModel());
        cfg.put("parallel_attn_mlp", false);
        cfg.put("schema_version", 1);
        ObjectNode nodes = root.putObject("nodes");
        ObjectNode edges = root.putObject("edges");
        Map<String, Boolean> nodeIn = new LinkedHashMap<>();
        nodeIn.put("input", false);
        for (CircuitGraph.Source src : g.sources()) {
            nodeIn.put(src.name(), false);
        }
        nodeIn.put("logits", true);
        forEachEdge(s, (k, i, src, dst) -> {
            boolean in = c.inCircuit()[k][i];
            edges.putObject(CircuitGraph.edgeName(src, dst)).put("score", s.values().get(k)[i]).put("in_graph", in);
            if (in) {
                nodeIn.put(src.name(), true);
                nodeIn.put(dst.name().replaceAll("<[qkv]>$", ""), true);
            }
        });
        nodeIn.forEach((n, in) -> nodes.putObject(n).put("in_graph", in));
        om.writeValue(file.toFile(), root);
    }

    /** Layered drawing: a column per layer, edge width by |score|, blue positive, red negative. */
    public static void writeSvg(PruneScores s, CircuitSelection c, Path file) throws IOException {
        Files.writeString(file, svg(s, c), StandardCharsets.UTF_8);
    }

    public static String svg(PruneScores s, CircuitSelection c) {
        CircuitGraph g = s.graph();
        int layers = 2 * g.config().nLayers() + 2;
        int rows = g.config().nHeads();
        double colW = 90;
        double rowH = 28;
        double w = layers * colW + 80;
        double h = rows * rowH + 80;
        Map<String, double[]> pos = new LinkedHashMap<>();
        pos.put("input", new double[] {40, h / 2});
        for (CircuitGraph.Source src : g.sources()) {
            if (src.kind() == CircuitGraph.Kind.HEAD) {
                pos.put(src.name(), new double[] {40 + src.layer() * colW, 40 + src.head() * rowH + rowH / 2});
            } else if (src.kind() == CircuitGraph.Kind.MLP) {
                pos.put(src.name(), new double[] {40 + src.layer() * colW, h / 2});
            }
        }
        pos.put("logits", new double[] {40 + (layers - 1) * colW, h / 2});
        double[] max = {1e-30};
        forEachEdge(s, (k, i, src, dst) -> {
            if (c.inCircuit()[k][i]) {
                max[0] = Math.max(max[0], Math.abs(s.values().get(k)[i]));
            }
        });
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                + "font-family=\"sans-serif\" font-size=\"9\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", w, h));
        Map<String, Boolean> used = new LinkedHashMap<>();
        forEachEdge(s, (k, i, src, dst) -> {
            if (!c.inCircuit()[k][i]) {
                return;
            }
            String to = dst.name().replaceAll("<[qkv]>$", "");
            double[] p = pos.get(src.name());
            double[] q = pos.get(to);
            double v = s.values().get(k)[i];
            double width = 0.5 + 5 * Math.abs(v) / max[0];
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-opacity=\"0.6\" stroke-width=\"%.2f\"><title>%s %.4g</title></line>%n",
                    p[0], p[1], q[0], q[1], v >= 0 ? "#2563eb" : "#dc2626", width, CircuitGraph.edgeName(src, dst), v));
            used.put(src.name(), true);
            used.put(to, true);
        });
        for (Map.Entry<String, double[]> e : pos.entrySet()) {
            boolean on = used.containsKey(e.getKey());
            double[] p = e.getValue();
            b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\" stroke=\"#333\"/>"
                    + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n",
                    p[0], p[1], on ? 5 : 2, on ? "#fde68a" : "#e5e7eb", p[0], p[1] - 7, on ? e.getKey() : ""));
        }
        b.append("</svg>\n");
        return b.toString();
    }
}
