package org.memcircuits.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.memcircuits.contracts.Topics;
import org.memcircuits.contracts.TopicsConfigInterceptor;

/**
 * What the manifests must agree with, read from the services themselves rather than copied into the
 * test: the topics (circuits-contracts), which of them each service consumes and with which group
 * (application.properties), the scorer's shard partitions, and the counters the services export.
 */
final class SourceFacts {
    static final List<String> SERVICES = List.of("scorer-service", "contrastive-service", "discovery-service",
            "verifier-service");

    private SourceFacts() {
    }

    static Properties properties(String service) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(
                Binaries.repoRoot().resolve(service).resolve("src/main/resources/application.properties"))) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Every topic name constant of {@link Topics}. */
    static Set<String> topicConstants() {
        Set<String> topics = new TreeSet<>();
        for (Field f : Topics.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                try {
                    topics.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return topics;
    }

    /** Consumed topic -> consumer groups that read it, from the services' incoming Kafka channels. */
    static Map<String, Set<String>> consumedTopics() {
        Map<String, Set<String>> consumed = new TreeMap<>();
        for (String service : SERVICES) {
            Properties p = properties(service);
            for (String topic : topicConstants()) {
                String ch = TopicsConfigInterceptor.channel(topic);
                if ("smallrye-kafka".equals(p.getProperty("mp.messaging.incoming." + ch + ".connector"))) {
                    String group = p.getProperty("mp.messaging.incoming." + ch + ".group.id");
                    consumed.computeIfAbsent(topic, t -> new TreeSet<>()).add(group);
                }
            }
        }
        return consumed;
    }

    /** Topics some service reads or writes (the CLI writes the *.requests topics the services read). */
    static Set<String> usedTopics() {
        Set<String> used = new TreeSet<>(consumedTopics().keySet());
        for (String service : SERVICES) {
            Properties p = properties(service);
            for (String topic : topicConstants()) {
                String ch = TopicsConfigInterceptor.channel(topic);
                if ("smallrye-kafka".equals(p.getProperty("mp.messaging.outgoing." + ch + "-out.connector"))) {
                    used.add(topic);
                }
            }
        }
        return used;
    }

    static int shardPartitions() {
        return Integer.parseInt(properties("scorer-service").getProperty("scorer.shard-partitions").trim());
    }

    private static final Pattern COUNTER = Pattern.compile("Counter\\.builder\\(\"([a-z0-9.]+)\"\\)");

    /** Prometheus names of the counters the services and their shared support register. */
    static Map<String, String> exportedCounters() {
        Map<String, String> names = new HashMap<>();
        List<Path> roots = new ArrayList<>();
        for (String s : SERVICES) {
            roots.add(Binaries.repoRoot().resolve(s).resolve("src/main/java"));
        }
        roots.add(Binaries.repoRoot().resolve("circuits-service-support/src/main/java"));
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(x -> x.toString().endsWith(".java")).toList()) {
                    Matcher m = COUNTER.matcher(Files.readString(f));
                    while (m.find()) {
                        // Micrometer's Prometheus naming: dots to underscores, counters end in _total.
                        names.put(m.group(1).replace('.', '_') + "_total", f.getFileName().toString());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return names;
    }
}
