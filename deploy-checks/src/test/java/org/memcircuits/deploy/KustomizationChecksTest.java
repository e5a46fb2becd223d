package org.memcircuits.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Renders every overlay, every component (on top of the base) and the dashboards with `kubectl kustomize`,
 * parses every object with the fabric8 model, and checks what an operator relies on. Needs no cluster;
 * without kubectl on PATH every test here is skipped with a message saying so.
 */
class KustomizationChecksTest {
    /** A kustomization to render: an overlay, a component on the base, the base itself, the dashboards. */
    record Target(String name, Path dir, boolean loadRestrictionsNone) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final Map<String, Rendered> CACHE = new ConcurrentHashMap<>();

    static Rendered rendered(Target t) {
        return CACHE.computeIfAbsent(t.name(), n -> Rendered.render(n, t.dir(), t.loadRestrictionsNone()));
    }

    static Rendered rendered(String name) {
        return rendered(targets().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no kustomization " + name)));
    }

    /** Found by listing the directories, so a new overlay or component is checked without editing this. */
    static Stream<Target> targets() {
        Path k8s = Binaries.k8s();
        List<Target> all = new ArrayList<>();
        all.add(new Target("base", k8s.resolve("base"), false));
        for (Path overlay : subdirectories(k8s.resolve("overlays"))) {
            all.add(new Target("overlays/" + overlay.getFileName(), overlay, false));
        }
        // A component cannot be built alone: each is rendered on the base, as an overlay would use it.
        Path scratch = Binaries.repoRoot().resolve("deploy-checks/target/kustomize-checks");
        for (Path component : subdirectories(k8s.resolve("components"))) {
            Path dir = scratch.resolve(component.getFileName().toString());
            Rendered.writeKustomization(dir, "resources:\n  - " + dir.relativize(k8s.resolve("base")) + "\n"
                    + "components:\n  - " + dir.relativize(component) + "\n");
            all.add(new Target("components/" + component.getFileName(), dir, false));
        }
        // Reads deploy/monitoring's dashboard files in place (see its kustomization.yaml).
        all.add(new Target("dashboards", k8s.resolve("dashboards"), true));
        return all.stream();
    }

    static Stream<Target> workloadTargets() {
        return targets().filter(t -> !t.name().equals("dashboards"));
    }

    private static List<Path> subdirectories(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("kustomization.yaml"))).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- every kustomization

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void rendersAndEveryObjectCarriesTheProjectLabels(Target t) {
        Rendered r = rendered(t);
        for (HasMetadata o : r.objects) {
            Map<String, String> labels = o.getMetadata().getLabels();
            String where = t + ": " + o.getKind() + "/" + o.getMetadata().getName();
            assertThat(labels).as("%s labels", where).isNotNull();
            assertThat(labels.get("app")).as("%s label app", where).isNotBlank();
            assertThat(labels).as("%s labels", where).containsEntry("application", "memorization-circuits")
                    .containsEntry("system", "memorization-circuits");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void noCredentialIsCommitted(Target t) {
        for (HasMetadata o : rendered(t).ofKind("Secret")) {
            Secret s = (Secret) o;
            assertThat(s.getData()).as("%s: Secret %s holds data; the operator creates Secrets (README)", t,
                    s.getMetadata().getName()).isNullOrEmpty();
            assertThat(s.getStringData()).as("%s: Secret %s holds stringData", t, s.getMetadata().getName())
                    .isNullOrEmpty();
        }
        for (JsonNode cm : rendered(t).treesOfKind("ConfigMap")) {
            cm.path("data").fieldNames().forEachRemaining(k -> assertThat(k.toUpperCase())
                    .as("%s: ConfigMap %s key %s looks like a credential", t, cm.path("metadata").path("name").asText(), k)
                    .doesNotContain("SECRET").doesNotContain("PASSWORD").doesNotContain("ACCESS_KEY"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workloadTargets")
    void everyServiceDeploymentIsProbedLimitedAndLockedDown(Target t) {
        Rendered r = rendered(t);
        Set<String> names = new TreeSet<>();
        for (Deployment d : r.deployments()) {
            names.add(d.getMetadata().getName());
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            String where = t + ": Deployment " + d.getMetadata().getName();
            PodSecurityContext psc = pod.getSecurityContext();
            assertThat(psc).as("%s pod securityContext", where).isNotNull();
            assertThat(psc.getRunAsNonRoot()).as("%s runAsNonRoot", where).isTrue();
            assertThat(psc.getRunAsUser()).as("%s runAsUser (not root)", where).isNotNull().isPositive();
            assertThat(psc.getSeccompProfile()).as("%s seccompProfile", where).isNotNull();
            assertThat(psc.getSeccompProfile().getType()).as("%s seccompProfile", where).isEqualTo("RuntimeDefault");
            assertThat(pod.getAutomountServiceAccountToken()).as("%s mounts no API token", where).isFalse();
            for (Container c : pod.getContainers()) {
                String cw = where + " container " + c.getName();
                assertProbe(cw + " startupProbe", c.getStartupProbe(), "/q/health/started");
                assertProbe(cw + " readinessProbe", c.getReadinessProbe(), "/q/health/ready");
                assertProbe(cw + " livenessProbe", c.getLivenessProbe(), "/q/health/live");
                assertThat(c.getPorts()).as("%s port named http (probes, PodMonitor)", cw)
                        .anyMatch(p -> "http".equals(p.getName()));

                assertThat(c.getResources()).as("%s resources", cw).isNotNull();
                Map<String, Quantity> req = c.getResources().getRequests();
                Map<String, Quantity> lim = c.getResources().getLimits();
                assertThat(req).as("%s requests", cw).containsKeys("cpu", "memory");
                assertThat(lim).as("%s limits", cw).containsKeys("cpu", "memory");
                assertThat(lim.get("memory").getNumericalAmount()).as("%s memory limit >= request", cw)
                        .isGreaterThanOrEqualTo(req.get("memory").getNumericalAmount());

                SecurityContext sc = c.getSecurityContext();
                assertThat(sc).as("%s securityContext", cw).isNotNull();
                assertThat(sc.getReadOnlyRootFilesystem()).as("%s readOnlyRootFilesystem", cw).isTrue();
                assertThat(sc.getAllowPrivilegeEscalation()).as("%s allowPrivilegeEscalation", cw).isFalse();
                assertThat(sc.getCapabilities()).as("%s capabilities", cw).isNotNull();
                assertThat(sc.getCapabilities().getDrop()).as("%s drops all capabilities", cw).contains("ALL");

                assertPinned(cw, c.getImage());

                // The writable places of a read-only container: each env path on a mounted writable volume.
                assertOnWritableVolume(cw, pod, c, envValue(c, "CIRCUITS_WORK_DIR"), "CIRCUITS_WORK_DIR");
                assertOnWritableVolume(cw, pod, c, envValue(c, "DJL_CACHE_DIR"), "DJL_CACHE_DIR");
                assertOnWritableVolume(cw, pod, c, "/tmp", "/tmp");

                assertThat(c.getEnvFrom()).as("%s reads circuits-config and the Secret circuits-s3", cw)
                        .anyMatch(e -> e.getConfigMapRef() != null && "circuits-config".equals(e.getConfigMapRef().getName()))
                        .anyMatch(e -> e.getSecretRef() != null && "circuits-s3".equals(e.getSecretRef().getName()));
            }
        }
        assertThat(names).as("%s: the four services", t).containsExactlyInAnyOrderElementsOf(SourceFacts.SERVICES);

        // What every service's environment must hold (circuits-config plus its own env).
        JsonNode config = r.tree("ConfigMap", "circuits-config").orElseThrow(() -> new AssertionError(t + ": no circuits-config"));
        assertThat(config.path("data").path("MALLOC_ARENA_MAX").asText()).as("%s MALLOC_ARENA_MAX", t).isEqualTo("1");
        assertThat(config.path("data").path("DJL_OFFLINE").asText()).as("%s DJL_OFFLINE", t).isEqualTo("true");
        for (String key : List.of("KAFKA_BOOTSTRAP_SERVERS", "S3_ENDPOINT", "S3_REGION", "S3_BUCKET")) {
            assertThat(config.path("data").path(key).asText()).as("%s circuits-config %s", t, key).isNotBlank();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workloadTargets")
    void servicesBudgetsAndNetworkPoliciesCoverEveryDeployment(Target t) {
        Rendered r = rendered(t);
        List<NetworkPolicy> policies = r.ofKind("NetworkPolicy").stream().map(NetworkPolicy.class::cast).toList();
        for (Deployment d : r.deployments()) {
            String name = d.getMetadata().getName();
            Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            int httpPort = c.getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst().orElseThrow()
                    .getContainerPort();

            Service svc = r.ofKind("Service").stream().map(Service.class::cast)
                    .filter(s -> name.equals(s.getMetadata().getName())).findFirst()
                    .orElseThrow(() -> new AssertionError(t + ": no Service " + name));
            assertThat(podLabels).as("%s: Service %s selects the pods", t, name)
                    .containsAllEntriesOf(svc.getSpec().getSelector());
            assertThat(svc.getSpec().getPorts()).as("%s: Service %s port", t, name)
                    .anyMatch(p -> p.getPort() == httpPort);

            List<PodDisruptionBudget> pdbs = r.ofKind("PodDisruptionBudget").stream().map(PodDisruptionBudget.class::cast)
                    .filter(p -> podLabels.entrySet().containsAll(p.getSpec().getSelector().getMatchLabels().entrySet()))
                    .toList();
            assertThat(pdbs).as("%s: a PodDisruptionBudget for %s", t, name).hasSize(1);

            List<NetworkPolicy> selecting = policies.stream().filter(p -> selects(p, podLabels)).toList();
            assertThat(selecting).as("%s: a NetworkPolicy selects %s", t, name).isNotEmpty();
            for (NetworkPolicy p : selecting) {
                assertThat(p.getSpec().getPolicyTypes()).as("%s: %s restricts both directions", t, p.getMetadata().getName())
                        .contains("Ingress", "Egress");
                assertThat(p.getSpec().getEgress()).as("%s: %s lets DNS out", t, p.getMetadata().getName())
                        .anyMatch(e -> e.getPorts() != null && e.getPorts().stream()
                                .anyMatch(port -> "UDP".equals(port.getProtocol()) && port.getPort().getIntVal() == 53));
                assertThat(p.getSpec().getIngress()).as("%s: %s lets only the HTTP port in", t, p.getMetadata().getName())
                        .allMatch(i -> i.getPorts() != null && !i.getPorts().isEmpty() && i.getPorts().stream()
                                .allMatch(port -> "http".equals(port.getPort().getStrVal())
                                        || Objects.equals(port.getPort().getIntVal(), httpPort)));
            }
        }
    }

    // ---------------------------------------------------------------- composition of the overlays

    @Test
    void overlaysCombineTheComponentsTheyPromise() {
        Rendered dev = rendered("overlays/dev");
        assertThat(dev.ofKind("Kafka")).as("dev: Kafka").hasSize(1);
        assertThat(dev.tree("StatefulSet", "minio")).as("dev: MinIO").isPresent();
        assertThat(dev.tree("Job", "minio-setup")).as("dev: bucket Job").isPresent();

        Rendered prod = rendered("overlays/production");
        assertThat(prod.ofKind("Kafka")).as("production: Kafka").hasSize(1);
        assertThat(prod.ofKind("ScaledObject")).as("production: KEDA").hasSize(2);
        assertThat(prod.ofKind("PodMonitor")).as("production: PodMonitors").isNotEmpty();
        assertThat(prod.ofKind("PrometheusRule")).as("production: alerts").hasSize(1);
        for (Rendered r : List.of(dev, prod, rendered("overlays/gpu"))) {
            assertThat(r.objects).as("%s: everything in one namespace", r.name)
                    .allMatch(o -> "circuits".equals(o.getMetadata().getNamespace()));
        }
    }

    @Test
    void gpuOverlayPutsDiscoveryOnAGpu() {
        Rendered gpu = rendered("overlays/gpu");
        Deployment d = gpu.deployment("discovery-service");
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        assertThat(c.getResources().getLimits()).as("gpu: discovery limits nvidia.com/gpu")
                .containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(envValue(c, "CIRCUITS_DEVICE")).as("gpu: CIRCUITS_DEVICE").isEqualTo("gpu");
        assertThat(envValue(c, "PYTORCH_FLAVOR")).as("gpu: PYTORCH_FLAVOR (a CUDA libtorch)").startsWith("cu");
        assertThat(envValue(c, "PYTORCH_LIBRARY_PATH")).as("gpu: PYTORCH_LIBRARY_PATH").startsWith("/");
        assertThat(pod.getTolerations()).as("gpu: tolerates the GPU taint")
                .anyMatch(tol -> "nvidia.com/gpu".equals(tol.getKey()));
        assertThat(pod.getNodeSelector()).as("gpu: nodeSelector").isNotEmpty();
        // And nowhere else: the CPU production overlay asks for no GPU.
        for (Deployment other : rendered("overlays/production").deployments()) {
            assertThat(other.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits())
                    .as("production %s asks for no GPU", other.getMetadata().getName()).doesNotContainKey("nvidia.com/gpu");
        }
    }

    // ---------------------------------------------------------------- Kafka (Strimzi)

    static Stream<Target> kafkaTargets() {
        return workloadTargets().filter(t -> !rendered(t).ofKind("Kafka").isEmpty());
    }

    @Test
    void kafkaIsInTheExpectedKustomizations() {
        assertThat(kafkaTargets().map(Target::name)).contains("components/kafka", "overlays/dev",
                "overlays/production", "overlays/gpu");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kafkaTargets")
    void everyTopicAndDeadLetterTopicIsAKafkaTopic(Target t) {
        Rendered r = rendered(t);
        JsonNode kafka = r.treesOfKind("Kafka").get(0);
        String cluster = kafka.path("metadata").path("name").asText();
        JsonNode config = kafka.path("spec").path("kafka").path("config");
        int rf = config.path("default.replication.factor").asInt(-1);
        assertThat(rf).as("%s: Kafka default.replication.factor (the one place for topic replication)", t).isPositive();
        assertThat(config.path("min.insync.replicas").asInt(-1)).as("%s: min.insync.replicas <= replication", t)
                .isBetween(1, rf);
        assertThat(r.ofKind("KafkaNodePool")).as("%s: KRaft node pool", t).isNotEmpty();
        for (JsonNode pool : r.treesOfKind("KafkaNodePool")) {
            assertThat(pool.path("spec").path("replicas").asInt()).as("%s: enough brokers for replication %d", t, rf)
                    .isGreaterThanOrEqualTo(rf);
        }
        assertThat(kafka.path("spec").path("kafkaExporter").isObject()).as("%s: Kafka Exporter enabled (lag metrics)", t).isTrue();
        assertThat(kafka.path("spec").path("entityOperator").path("topicOperator").isObject())
                .as("%s: topic operator reconciles the KafkaTopics", t).isTrue();

        Map<String, JsonNode> topics = new java.util.TreeMap<>();
        for (JsonNode kt : r.treesOfKind("KafkaTopic")) {
            String topicName = kt.path("spec").path("topicName").asText(kt.path("metadata").path("name").asText());
            assertThat(kt.path("metadata").path("labels").path("strimzi.io/cluster").asText())
                    .as("%s: KafkaTopic %s belongs to cluster %s", t, topicName, cluster).isEqualTo(cluster);
            assertThat(kt.path("spec").path("partitions").asInt(0)).as("%s: %s partitions", t, topicName).isPositive();
            if (kt.path("spec").has("replicas")) {
                assertThat(kt.path("spec").path("replicas").asInt()).as("%s: %s replicas", t, topicName).isEqualTo(rf);
            }
            assertThat(topics.put(topicName, kt)).as("%s: %s declared once", t, topicName).isNull();
        }
        for (String used : SourceFacts.usedTopics()) {
            assertThat(topics).as("%s: KafkaTopic for %s", t, used).containsKey(used);
        }
        for (String consumed : SourceFacts.consumedTopics().keySet()) {
            assertThat(topics).as("%s: dead-letter KafkaTopic for consumed topic %s", t, consumed)
                    .containsKey(consumed + ".dlq");
        }
        assertThat(topics.get("circuits.score.shards").path("spec").path("partitions").asInt())
                .as("%s: shard partitions = scorer.shard-partitions", t).isEqualTo(SourceFacts.shardPartitions());
        assertThat(topics.get("circuits.discovery.requests").path("spec").path("partitions").asInt())
                .as("%s: discovery request partitions (one job per replica, 4 replicas)", t).isEqualTo(4);

        JsonNode cm = r.tree("ConfigMap", "circuits-config").orElseThrow().path("data");
        assertThat(cm.path("CIRCUITS_TOPICS_MANAGED").asText()).as("%s: services leave topics to Strimzi", t).isEqualTo("true");
        assertThat(cm.path("KAFKA_BOOTSTRAP_SERVERS").asText()).as("%s: services use the Strimzi bootstrap", t)
                .startsWith(cluster + "-kafka-bootstrap:");
    }

    // ---------------------------------------------------------------- KEDA

    static Stream<Target> autoscalingTargets() {
        return workloadTargets().filter(t -> !rendered(t).ofKind("ScaledObject").isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("autoscalingTargets")
    void scaledObjectsScaleOnTheirGroupsLagUpToThePartitions(Target t) {
        Rendered r = rendered(t);
        Map<String, Set<String>> consumed = SourceFacts.consumedTopics();
        Map<String, Integer> partitions = Map.of("circuits.score.shards", SourceFacts.shardPartitions(),
                "circuits.discovery.requests", 4);
        Set<String> scaled = new TreeSet<>();
        for (JsonNode so : r.treesOfKind("ScaledObject")) {
            String target = so.path("spec").path("scaleTargetRef").path("name").asText();
            scaled.add(target);
            Deployment d = r.deployment(target);
            assertThat(d.getSpec().getReplicas()).as("%s: %s has no replicas field for apply to reset", t, target).isNull();
            JsonNode trigger = so.path("spec").path("triggers").get(0);
            assertThat(trigger.path("type").asText()).as("%s: %s trigger", t, target).isEqualTo("kafka");
            JsonNode md = trigger.path("metadata");
            String topic = md.path("topic").asText();
            assertThat(consumed.getOrDefault(topic, Set.of())).as("%s: %s scales on a group that reads %s", t, target, topic)
                    .contains(md.path("consumerGroup").asText());
            if (partitions.containsKey(topic)) {
                assertThat(so.path("spec").path("maxReplicaCount").asInt()).as("%s: %s max replicas = partitions", t, target)
                        .isEqualTo(partitions.get(topic));
            }
            if (!r.ofKind("Kafka").isEmpty()) {
                assertThat(md.path("bootstrapServers").asText()).as("%s: %s reads lag from the services' broker", t, target)
                        .isEqualTo(r.tree("ConfigMap", "circuits-config").orElseThrow().path("data")
                                .path("KAFKA_BOOTSTRAP_SERVERS").asText());
            }
        }
        assertThat(scaled).as("%s: scaled Deployments", t).contains("scorer-service", "discovery-service");
    }

    // ---------------------------------------------------------------- monitoring

    static Stream<Target> monitoringTargets() {
        return workloadTargets().filter(t -> !rendered(t).ofKind("PodMonitor").isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("monitoringTargets")
    void everyServicePodIsScrapedByAPodMonitor(Target t) {
        Rendered r = rendered(t);
        for (Deployment d : r.deployments()) {
            Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
            List<JsonNode> monitors = r.treesOfKind("PodMonitor").stream().filter(pm -> {
                Map<String, String> sel = Rendered.YAML.convertValue(pm.path("spec").path("selector").path("matchLabels"),
                        new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() { });
                return sel != null && !sel.isEmpty() && podLabels.entrySet().containsAll(sel.entrySet());
            }).toList();
            assertThat(monitors).as("%s: one PodMonitor for %s", t, d.getMetadata().getName()).hasSize(1);
            JsonNode ep = monitors.get(0).path("spec").path("podMetricsEndpoints").get(0);
            assertThat(ep.path("port").asText()).as("%s: scraped on the http port", t).isEqualTo("http");
            assertThat(ep.path("path").asText()).as("%s: scraped at /q/metrics", t).isEqualTo("/q/metrics");
        }
        JsonNode rule = r.treesOfKind("PrometheusRule").get(0);
        assertThat(rule.path("spec").path("groups").size()).as("%s: PrometheusRule groups", t).isPositive();
    }

    @Test
    void prometheusRuleCarriesExactlyThePlainRulesFile() throws IOException {
        Path monitoring = Binaries.k8s().resolve("components/monitoring");
        JsonNode plain = Rendered.YAML.readTree(monitoring.resolve("circuits-alerts.rules.yml").toFile());
        JsonNode crd = Rendered.YAML.readTree(monitoring.resolve("prometheusrule.yaml").toFile());
        assertThat(crd.path("spec").path("groups")).as("prometheusrule.yaml spec.groups = circuits-alerts.rules.yml groups "
                + "(promtool tests the plain file; the operator loads the other)").isEqualTo(plain.path("groups"));
    }

    @Test
    void alertRulesNameMetricsTheServicesExport() throws IOException {
        Map<String, String> exported = SourceFacts.exportedCounters();
        JsonNode plain = Rendered.YAML.readTree(
                Binaries.k8s().resolve("components/monitoring/circuits-alerts.rules.yml").toFile());
        List<String> exprs = new ArrayList<>();
        plain.path("groups").forEach(g -> g.path("rules").forEach(rule -> exprs.add(rule.path("expr").asText())));
        java.util.regex.Pattern nameRegex = java.util.regex.Pattern.compile("__name__=~\"([^\"]+)\"");
        java.util.regex.Pattern bare = java.util.regex.Pattern.compile("\\b(circuits_[a-z_]+_total)\\b");
        List<java.util.regex.Pattern> referenced = new ArrayList<>();
        for (String expr : exprs) {
            java.util.regex.Matcher m = nameRegex.matcher(expr);
            while (m.find()) {
                java.util.regex.Pattern p = java.util.regex.Pattern.compile(m.group(1));
                assertThat(exported.keySet()).as("alert expr %s: %s matches an exported counter", expr, m.group(1))
                        .anyMatch(n -> p.matcher(n).matches());
                referenced.add(p);
            }
            java.util.regex.Matcher b = bare.matcher(expr);
            while (b.find()) {
                assertThat(exported).as("alert expr %s: %s is exported", expr, b.group(1)).containsKey(b.group(1));
                referenced.add(java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(b.group(1))));
            }
        }
        // Every service's failure and dead-letter counters are watched by some alert.
        for (String counter : exported.keySet()) {
            if (counter.endsWith("_failures_total") || counter.endsWith("_dead_lettered_total")) {
                assertThat(referenced).as("an alert watches %s (%s)", counter, exported.get(counter))
                        .anyMatch(p -> p.matcher(counter).matches());
            }
        }
        assertThat(exported.keySet()).as("the services' failure counters were found in their sources")
                .contains("circuits_scorer_failures_total", "circuits_discovery_dead_lettered_total");
    }

    // ---------------------------------------------------------------- helpers

    private static void assertProbe(String where, Probe p, String path) {
        assertThat(p).as(where).isNotNull();
        assertThat(p.getHttpGet()).as("%s httpGet", where).isNotNull();
        assertThat(p.getHttpGet().getPath()).as("%s path", where).isEqualTo(path);
    }

    private static void assertPinned(String where, String image) {
        assertThat(image).as("%s image", where).isNotBlank();
        int slash = image.lastIndexOf('/');
        String last = image.substring(slash + 1);
        assertThat(last.contains(":") || image.contains("@sha256:")).as("%s image %s has a tag or digest", where, image).isTrue();
        assertThat(image).as("%s image %s is pinned, not latest", where, image).doesNotEndWith(":latest");
    }

    private static String envValue(Container c, String name) {
        return c.getEnv() == null ? null : c.getEnv().stream().filter(e -> name.equals(e.getName())).map(EnvVar::getValue)
                .filter(Objects::nonNull).findFirst().orElse(null);
    }

    private static void assertOnWritableVolume(String where, PodSpec pod, Container c, String path, String what) {
        assertThat(path).as("%s: %s is set", where, what).isNotBlank();
        VolumeMount mount = c.getVolumeMounts() == null ? null : c.getVolumeMounts().stream()
                .filter(m -> !Boolean.TRUE.equals(m.getReadOnly()))
                .filter(m -> path.equals(m.getMountPath()) || path.startsWith(m.getMountPath().replaceAll("/$", "") + "/"))
                .findFirst().orElse(null);
        assertThat(mount).as("%s: %s (%s) is on a writable volume mount", where, what, path).isNotNull();
        Volume v = pod.getVolumes().stream().filter(x -> x.getName().equals(mount.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(where + ": no volume " + mount.getName()));
        assertThat(v.getEmptyDir() != null || v.getPersistentVolumeClaim() != null || v.getEphemeral() != null)
                .as("%s: volume %s for %s is an emptyDir or a claim", where, v.getName(), what).isTrue();
    }

    private static boolean selects(NetworkPolicy p, Map<String, String> podLabels) {
        var sel = p.getSpec().getPodSelector();
        if (sel.getMatchLabels() != null && !podLabels.entrySet().containsAll(sel.getMatchLabels().entrySet())) {
            return false;
        }
        if (sel.getMatchExpressions() != null) {
            for (var e : sel.getMatchExpressions()) {
                String v = podLabels.get(e.getKey());
                boolean ok = switch (e.getOperator()) {
                    case "In" -> v != null && e.getValues().contains(v);
                    case "NotIn" -> v == null || !e.getValues().contains(v);
                    case "Exists" -> v != null;
                    case "DoesNotExist" -> v == null;
                    default -> false;
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }
}
