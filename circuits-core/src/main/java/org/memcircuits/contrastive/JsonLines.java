package org.memcircuits.contrastive;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.memcircuits.InvalidInputException;

/** Reads a JSONL file line by line, so every error names the file and line. */
final class JsonLines {
    @FunctionalInterface
    interface LineHandler {
        /** @param where "FILE line N", for error messages */
        void line(String line, String where);
    }

    private JsonLines() {}

    /**
     * Calls {@code handler} for every non-blank line; a missing or unreadable file is an
     * {@link InvalidInputException} naming it as {@code what} ("scores file", "divergence file").
     */
    static void forEach(Path file, String what, LineHandler handler) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (!line.isBlank()) {
                    handler.line(line, file + " line " + n);
                }
            }
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file + ": " + what + " not found", e);
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read " + what + ": " + e.getMessage(), e);
        }
    }
}
