package org.memcircuits.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One kustomization rendered by `kubectl kustomize` and parsed: every object as its fabric8 model type,
 * custom resources (whose kinds fabric8 does not model) as GenericKubernetesResource.
 */
final class Rendered {
    /** Custom resources of Strimzi, KEDA and the Prometheus operator: parsed generically, fields asserted. */
    static final Set<String> CUSTOM_KINDS = Set.of("Kafka", "KafkaNodePool", "KafkaTopic", "ScaledObject", "PodMonitor",
            "PrometheusRule");

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    final String name;
    final List<HasMetadata> objects = new ArrayList<>();
    /** The same objects as plain trees, for fields custom resources carry. */
    final List<JsonNode> trees = new ArrayList<>();

    private Rendered(String name) {
        this.name = name;
    }

    /** Renders a kustomization directory; fails with kubectl's message when it does not render. */
    static Rendered render(String name, Path dir, boolean loadRestrictionsNone) {
        Path kubectl = Binaries.require("kubectl", "rendering needs `kubectl kustomize` (kubectl >= 1.27)");
        List<String> cmd = new ArrayList<>(List.of(kubectl.toString(), "kustomize"));
        if (loadRestrictionsNone) {
            cmd.add("--load-restrictor=LoadRestrictionsNone");
        }
        cmd.add(dir.toString());
        Binaries.Run run = Binaries.run(Binaries.repoRoot(), cmd);
        assertThat(run.exit()).as("kubectl kustomize %s failed:\n%s", dir, run.describe()).isZero();
        return parse(name, run.stdout());
    }

    static Rendered parse(String name, String yaml) {
        Rendered r = new Rendered(name);
        for (String doc : DOCUMENT_SEPARATOR.split(yaml)) {
            if (doc.isBlank()) {
                continue;
            }
            JsonNode tree;
            try {
                tree = YAML.readTree(doc);
            } catch (IOException e) {
                throw new UncheckedIOException("rendered output of " + name + " is not YAML", e);
            }
            String kind = tree.path("kind").asText();
            String where = name + ": " + kind + "/" + tree.path("metadata").path("name").asText();
            KubernetesResource parsed = SERIALIZATION.unmarshal(doc, KubernetesResource.class);
            assertThat(parsed).as("%s parses as a Kubernetes object", where).isInstanceOf(HasMetadata.class);
            if (CUSTOM_KINDS.contains(kind)) {
                assertThat(parsed).as("%s: custom resource", where).isInstanceOf(GenericKubernetesResource.class);
            } else {
                // A kind fabric8 does not know (a typo in apiVersion or kind) would come back generic.
                assertThat(parsed).as("%s parses as its Kubernetes type, not as an unknown resource (apiVersion %s)",
                        where, tree.path("apiVersion").asText()).isNotInstanceOf(GenericKubernetesResource.class);
                ModelWalk.assertNoUnknownFields(where, parsed);
            }
            HasMetadata object = (HasMetadata) parsed;
            assertThat(object.getApiVersion()).as("%s apiVersion", where).isNotBlank();
            assertThat(object.getKind()).as("%s kind", where).isNotBlank();
            assertThat(object.getMetadata()).as("%s metadata", where).isNotNull();
            assertThat(object.getMetadata().getName()).as("%s metadata.name", where).isNotBlank();
            r.objects.add(object);
            r.trees.add(tree);
        }
        assertThat(r.objects).as("%s renders at least one object", name).isNotEmpty();
        return r;
    }

    List<HasMetadata> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.getKind())).toList();
    }

    List<JsonNode> treesOfKind(String kind) {
        return trees.stream().filter(t -> kind.equals(t.path("kind").asText())).toList();
    }

    Optional<JsonNode> tree(String kind, String name) {
        return trees.stream().filter(t -> kind.equals(t.path("kind").asText()))
                .filter(t -> name.equals(t.path("metadata").path("name").asText())).findFirst();
    }

    List<Deployment> deployments() {
        return ofKind("Deployment").stream().map(Deployment.class::cast).toList();
    }

    Deployment deployment(String name) {
        return deployments().stream().filter(d -> name.equals(d.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new AssertionError(this.name + " renders no Deployment " + name));
    }

    static void writeKustomization(Path dir, String content) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("kustomization.yaml"), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
