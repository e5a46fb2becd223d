package org.memcircuits.service;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Creates each service's topics ({@link ServiceTopics} beans) with the partition counts scale-out
 * needs, before the messaging consumers subscribe: a broker's auto-created topic has one partition,
 * which would serialise all replicas. Existing topics keep theirs, or grow to the count asked.
 *
 * <p>Peers create the same topics at the same moment on a fresh cluster, and a broker may answer
 * "unknown topic" for a topic its controller has just created: such answers are retried, with a
 * log line, until the metadata agrees or {@code circuits.topics.init-timeout} runs out. With
 * {@code circuits.topics.managed=true} (CIRCUITS_TOPICS_MANAGED) the platform owns the topics, and
 * the service only waits for them to exist.
 */
@ApplicationScoped
public class TopicInitializer {
    private static final Logger LOG = Logger.getLogger(TopicInitializer.class);

    // Priority 1: before SmallRye Reactive Messaging subscribes its consumers (LIBRARY_BEFORE).
    void onStart(@Observes @Priority(1) StartupEvent ev, Instance<ServiceTopics> services,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
            @ConfigProperty(name = "circuits.topics.replication-factor") Optional<Short> replication,
            @ConfigProperty(name = "circuits.topics.init-timeout", defaultValue = "PT2M") Duration timeout,
            @ConfigProperty(name = "circuits.topics.managed", defaultValue = "false") boolean managed) throws Exception {
        Map<String, Integer> wanted = new LinkedHashMap<>();
        services.forEach(s -> s.partitions().forEach((t, n) -> wanted.merge(t, n, Math::max)));
        if (wanted.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            for (int attempt = 1; ; attempt++) {
                try {
                    if (managed) {
                        // the platform (e.g. Strimzi KafkaTopics) creates them: only wait until they are there
                        admin.describeTopics(wanted.keySet()).allTopicNames().get(30, TimeUnit.SECONDS);
                    } else {
                        ensure(admin, wanted, replication);
                    }
                    return;
                } catch (ExecutionException e) {
                    // a peer growing the same topic first answers InvalidPartitions: look again
                    boolean again = e.getCause() instanceof RetriableException || e.getCause() instanceof InvalidPartitionsException;
                    if (!again || System.nanoTime() > deadline) {
                        throw new IllegalStateException("topics " + wanted.keySet() + (managed
                                ? " are not all there at " + bootstrap + " after " + timeout
                                        + " (circuits.topics.managed=true: the platform must create them)"
                                : " could not be created or described at " + bootstrap + " within " + timeout) + ": "
                                + e.getCause(), e.getCause());
                    }
                    LOG.infof("topics not yet agreed by the broker (%s); retrying (attempt %d)", e.getCause().toString(), attempt);
                    Thread.sleep(Math.min(2000, 100L << Math.min(attempt, 5)));
                }
            }
        }
    }

    private static void ensure(Admin admin, Map<String, Integer> wanted, Optional<Short> replication) throws Exception {
        Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        List<NewTopic> missing = new ArrayList<>();
        wanted.forEach((t, n) -> {
            if (!existing.contains(t)) {
                // without a configured factor the broker's default.replication.factor applies
                missing.add(new NewTopic(t, Optional.of(n), replication));
            }
        });
        if (!missing.isEmpty()) {
            try {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                LOG.infof("created topics %s", missing.stream().map(NewTopic::name).toList());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        Map<String, TopicDescription> described = admin.describeTopics(wanted.keySet()).allTopicNames().get(30, TimeUnit.SECONDS);
        for (var e : wanted.entrySet()) {
            if (described.get(e.getKey()).partitions().size() < e.getValue()) {
                admin.createPartitions(Map.of(e.getKey(), NewPartitions.increaseTo(e.getValue()))).all().get(30, TimeUnit.SECONDS);
            }
        }
    }
}
