package org.memcircuits.contrastive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.memcircuits.InvalidInputException;
import org.memcircuits.contracts.ContractException;
import org.memcircuits.contracts.EventCodec;

/**
 * The contrastive stage's files: the auto-circuit dataset JSON, the divergence side JSONL and the
 * summary JSON. Writes go to a sibling {@code .partial} file that is then renamed, so a reader never
 * sees half a file.
 */
public final class ContrastiveFiles {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> FIELDS = List.of("minimal_context", "next_gt_tokens", "next_generated_tokens",
            "diverging_position", "score_before", "score_after");

    private ContrastiveFiles() {}

    /** {@code {"prompts":[...]}}, indented as the original's {@code json.dump(..., indent=2)}. */
    public static void writePrompts(Path file, List<ContrastivePair> prompts) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("prompts", prompts);
        writeAtomically(file, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
    }

    public static void writeDivergence(Path file, List<DivergenceRecord> rows) throws IOException {
        ObjectWriter w = MAPPER.writer();
        StringBuilder b = new StringBuilder();
        for (DivergenceRecord r : rows) {
            b.append(w.writeValueAsString(r)).append('\n');
        }
        writeAtomically(file, b.toString());
    }

    public static void writeSummary(Path file, ContrastiveSummary summary) throws IOException {
        writeAtomically(file, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(summary.toMap()) + "\n");
    }

    /** Reads a divergence side file strictly: an error names the file, line and field. */
    public static List<DivergenceRecord> readDivergence(Path file) {
        List<DivergenceRecord> out = new ArrayList<>();
        JsonLines.forEach(file, "divergence file", (line, where) -> {
            DivergenceRecord d;
            try {
                JsonNode node = MAPPER.readTree(line);
                for (String field : FIELDS) {
                    if (node == null || !node.isObject() || !node.has(field) || node.get(field).isNull()) {
                        throw new InvalidInputException(where + ": field '" + field + "' is missing");
                    }
                }
                d = EventCodec.fromJson(line, DivergenceRecord.class);
            } catch (JsonProcessingException e) {
                throw new InvalidInputException(where + ": not valid JSON: " + e.getOriginalMessage(), e);
            } catch (ContractException e) {
                throw new InvalidInputException(where + ": " + e.getMessage(), e);
            }
            if (d.minimalContext() == null) {
                throw new InvalidInputException(where + ": field 'minimal_context' is missing");
            }
            if (d.nextGtTokens() == null || d.nextGtTokens().isEmpty()) {
                throw new InvalidInputException(where + ": field 'next_gt_tokens' must be a non-empty list of strings");
            }
            if (d.nextGeneratedTokens() == null || d.nextGeneratedTokens().isEmpty()) {
                throw new InvalidInputException(where + ": field 'next_generated_tokens' must be a non-empty list of strings");
            }
            double pos = d.divergingPosition();
            if (!(pos >= 1) || pos != Math.rint(pos)) {
                throw new InvalidInputException(where + ": field 'diverging_position' must be a whole number >= 1, got " + pos);
            }
            out.add(d);
        });
        return out;
    }

    private static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".partial");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }
}
