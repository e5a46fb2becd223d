package org.memcircuits.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * promtool on the alert rules (syntax, and unit tests with input series and expected alerts) and on the
 * plain Prometheus scrape config. Without promtool on PATH each test is skipped with a message saying so.
 */
class PromtoolTest {
    private static final String WHY = "install it (Debian: apt-get install prometheus) to check the alert rules";

    private static Path monitoring() {
        return Binaries.k8s().resolve("components/monitoring");
    }

    @Test
    void alertRulesAreValid() {
        Path promtool = Binaries.require("promtool", WHY);
        Binaries.Run run = Binaries.run(monitoring(), List.of(promtool.toString(), "check", "rules",
                "circuits-alerts.rules.yml"));
        assertThat(run.exit()).as("promtool check rules:\n%s", run.describe()).isZero();
    }

    @Test
    void alertRulesPassTheirUnitTests() {
        Path promtool = Binaries.require("promtool", WHY);
        Binaries.Run run = Binaries.run(monitoring(), List.of(promtool.toString(), "test", "rules",
                "tests/circuits-alerts.test.yml"));
        assertThat(run.exit()).as("promtool test rules:\n%s", run.describe()).isZero();
        assertThat(run.stdout() + run.stderr()).as("promtool ran the tests").contains("SUCCESS");
    }

    /** The real file, with pod discovery: needs a promtool built with Kubernetes discovery. */
    @Test
    void scrapeConfigIsValid() throws IOException {
        Path promtool = Binaries.require("promtool", WHY);
        assumeFalse(lacksKubernetesDiscovery(promtool),
                "this promtool was built without Kubernetes service discovery (Debian's package strips it), so "
                        + "`promtool check config` of prometheus.yml is SKIPPED, not passed; the rest of the file is "
                        + "checked by scrapeConfigIsValidApartFromPodDiscovery. An upstream promtool runs this check.");
        Binaries.Run run = Binaries.run(monitoring(), List.of(promtool.toString(), "check", "config", "prometheus.yml"));
        assertThat(run.exit()).as("promtool check config:\n%s", run.describe()).isZero();
    }

    /**
     * Everything but the discovery block, with any promtool: the file with kubernetes_sd_configs replaced by
     * a static target (relabelling, paths, and the rules file it loads are checked as written).
     */
    @Test
    void scrapeConfigIsValidApartFromPodDiscovery() throws IOException {
        Path promtool = Binaries.require("promtool", WHY);
        JsonNode config = Rendered.YAML.readTree(monitoring().resolve("prometheus.yml").toFile());
        int replaced = 0;
        for (JsonNode job : config.path("scrape_configs")) {
            ObjectNode o = (ObjectNode) job;
            assertThat(o.has("kubernetes_sd_configs")).as("job %s discovers pods", o.path("job_name").asText()).isTrue();
            assertThat(o.path("kubernetes_sd_configs").get(0).path("role").asText())
                    .as("job %s discovers pods, so every replica is scraped", o.path("job_name").asText()).isEqualTo("pod");
            o.remove("kubernetes_sd_configs");
            o.putArray("static_configs").addObject().putArray("targets").add("pod.invalid:8081");
            replaced++;
        }
        assertThat(replaced).as("scrape jobs").isPositive();
        Path dir = Binaries.repoRoot().resolve("deploy-checks/target/promtool-config");
        Files.createDirectories(dir);
        Rendered.YAML.writeValue(dir.resolve("prometheus.yml").toFile(), config);
        for (JsonNode rf : config.path("rule_files")) {
            Files.copy(monitoring().resolve(rf.asText()), dir.resolve(rf.asText()), StandardCopyOption.REPLACE_EXISTING);
        }
        Binaries.Run run = Binaries.run(dir, List.of(promtool.toString(), "check", "config", "prometheus.yml"));
        assertThat(run.exit()).as("promtool check config (pod discovery replaced by a static target):\n%s",
                run.describe()).isZero();
        assertThat(run.stdout() + run.stderr()).as("the rules file was loaded").contains("SUCCESS: 7 rules found");
    }

    private static boolean lacksKubernetesDiscovery(Path promtool) throws IOException {
        Path probe = Files.createTempDirectory("promtool-probe");
        try {
            Files.writeString(probe.resolve("p.yml"),
                    "scrape_configs:\n  - job_name: probe\n    kubernetes_sd_configs:\n      - role: pod\n");
            Binaries.Run run = Binaries.run(probe, List.of(promtool.toString(), "check", "config", "p.yml"));
            return run.exit() != 0 && (run.stdout() + run.stderr()).contains("field kubernetes_sd_configs not found");
        } finally {
            Files.deleteIfExists(probe.resolve("p.yml"));
            Files.deleteIfExists(probe);
        }
    }
}
