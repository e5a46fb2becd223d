package org.memcircuits.deploy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The command-line tools the checks run (kubectl, promtool), found on PATH, and the repository root. */
final class Binaries {
    private Binaries() {
    }

    /** Result of one run: exit status and stdout+stderr (stderr kept apart so YAML output stays clean). */
    record Run(int exit, String stdout, String stderr) {
        String describe() {
            return "exit " + exit + "\n" + stderr + (stdout.length() > 4000 ? stdout.substring(0, 4000) : stdout);
        }
    }

    static Path repoRoot() {
        String root = System.getProperty("circuits.repo.root");
        Path p = root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
        if (!Files.isDirectory(p.resolve("deploy/k8s"))) {
            throw new IllegalStateException("no deploy/k8s under " + p + " (circuits.repo.root)");
        }
        return p.toAbsolutePath().normalize();
    }

    static Path k8s() {
        return repoRoot().resolve("deploy/k8s");
    }

    static Optional<Path> onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The tool, or the test is skipped (not passed) with a message naming what is missing. */
    static Path require(String name, String why) {
        Optional<Path> p = onPath(name);
        assumeTrue(p.isPresent(), () -> name + " is not on PATH, so this check is SKIPPED, not passed: " + why);
        return p.get();
    }

    static Run run(Path workDir, List<String> command) {
        try {
            Path out = Files.createTempFile("deploy-checks", ".out");
            Path err = Files.createTempFile("deploy-checks", ".err");
            try {
                Process p = new ProcessBuilder(new ArrayList<>(command)).directory(workDir.toFile())
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("timed out after 120 s: " + command);
                }
                return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + command, e);
        }
    }
}
