package org.memcircuits.service;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Creates each service's topics ({@link ServiceTopics} beans) with the partition counts scale-out
 * needs, before the messaging consumers subscribe: a broker's auto-created topic has one partition,
 * which would serialise all replicas. Existing topics keep theirs, or grow to the count asked.
 */
@ApplicationScoped
public class TopicInitializer {
    private static final Logger LOG = Logger.getLogger(TopicInitializer.class);

    // Priority 1: before SmallRye Reactive Messaging subscribes its consumers (LIBRARY_BEFORE).
    void onStart(@Observes @Priority(1) StartupEvent ev, Instance<ServiceTopics> services,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) throws Exception {
        Map<String, Integer> wanted = new java.util.LinkedHashMap<>();
        services.forEach(s -> s.partitions().forEach((t, n) -> wanted.merge(t, n, Math::max)));
        if (wanted.isEmpty()) {
            return;
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            wanted.forEach((t, n) -> {
                if (!existing.contains(t)) {
                    missing.add(new NewTopic(t, n, (short) 1));
                }
            });
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                    LOG.infof("created topics %s", missing.stream().map(NewTopic::name).toList());
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                }
            }
            var described = admin.describeTopics(wanted.keySet()).allTopicNames().get(30, TimeUnit.SECONDS);
            for (var e : wanted.entrySet()) {
                if (described.get(e.getKey()).partitions().size() < e.getValue()) {
                    admin.createPartitions(Map.of(e.getKey(),
                            org.apache.kafka.clients.admin.NewPartitions.increaseTo(e.getValue()))).all().get(30, TimeUnit.SECONDS);
                }
            }
        }
    }
}
