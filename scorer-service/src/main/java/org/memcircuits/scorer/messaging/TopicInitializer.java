package org.memcircuits.scorer.messaging;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
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
import org.memcircuits.contracts.Topics;
import org.memcircuits.scorer.config.ScorerConfig;

/**
 * Creates the stage's topics with the partition counts scale-out needs (a broker's auto-created
 * topic has one partition, which would serialise all replicas). Existing topics are left alone.
 */
@ApplicationScoped
public class TopicInitializer {
    private static final Logger LOG = Logger.getLogger(TopicInitializer.class);

    // Priority 1: before SmallRye Reactive Messaging subscribes its consumers (LIBRARY_BEFORE).
    void onStart(@Observes @Priority(1) StartupEvent ev, ScorerConfig config,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) throws Exception {
        List<NewTopic> wanted = new ArrayList<>();
        wanted.add(new NewTopic(Topics.SCORE_SHARDS, config.shardPartitions(), (short) 1));
        for (String t : List.of(Topics.SCORE_REQUESTS, Topics.SCORE_SHARDS_DONE, Topics.SCORE_RESULTS, Topics.STATUS,
                Topics.deadLetter(Topics.SCORE_REQUESTS), Topics.deadLetter(Topics.SCORE_SHARDS),
                Topics.deadLetter(Topics.SCORE_SHARDS_DONE))) {
            wanted.add(new NewTopic(t, 1, (short) 1));
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                LOG.infof("created topics %s", missing.stream().map(NewTopic::name).toList());
            }
            // A consumer may have let the broker auto-create it with one partition first.
            var shards = admin.describeTopics(List.of(Topics.SCORE_SHARDS)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(Topics.SCORE_SHARDS);
            if (shards.partitions().size() < config.shardPartitions()) {
                admin.createPartitions(Map.of(Topics.SCORE_SHARDS,
                        org.apache.kafka.clients.admin.NewPartitions.increaseTo(config.shardPartitions())))
                        .all().get(30, TimeUnit.SECONDS);
            }
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                throw e;
            }
        }
    }
}
