package org.memcircuits.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The script's per-component arguments, checked before anything is started (no servers needed). */
class LocalStackScriptTest {
    @TempDir
    Path home;

    private record Run(int exit, String output) {}

    private Run run(String... args) throws Exception {
        Path repo = Path.of("").toAbsolutePath();
        while (!Files.isRegularFile(repo.resolve("stack/local-stack.sh"))) {
            repo = repo.getParent();
        }
        List<String> cmd = new ArrayList<>(List.of("bash", repo.resolve("stack/local-stack.sh").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("STACK_HOME", home.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void anUnknownComponentIsRefusedBeforeAnythingStarts() throws Exception {
        for (String cmd : List.of("start", "stop", "restart")) {
            Run r = run(cmd, "zookeeper");
            assertThat(r.exit()).as(r.output()).isEqualTo(2);
            assertThat(r.output()).contains("unknown component 'zookeeper' (expected kafka or s3)");
        }
        assertThat(home).isEmptyDirectory();
    }

    @Test
    void statusAndEnvTakeNoComponent() throws Exception {
        Run r = run("status", "kafka");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.output()).contains("'status' takes no component");
    }

    @Test
    void usageNamesTheComponents() throws Exception {
        Run r = run("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.output()).contains("start|stop|restart [kafka|s3]");
    }

    @Test
    void stoppingOneComponentThatIsNotRunningSaysSo() throws Exception {
        Run r = run("stop", "s3");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("s3proxy not running").doesNotContain("Kafka");
    }
}
