package org.memcircuits.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.artifacts.StorageConfig;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.ScoreRecord;
import org.memcircuits.contracts.ScoreRequest;
import org.memcircuits.contracts.ScoreResult;
import org.memcircuits.contracts.Topics;
import org.memcircuits.testing.LocalStack;

/**
 * Scale-out against the packaged application: two scorer replicas (separate JVMs, one consumer
 * group) finish a corpus with every document scored exactly once, both doing part of the work.
 */
class ScorerReplicasIT {
    private static final int SHARDS = 8;
    private static final List<Process> replicas = new ArrayList<>();
    private static final List<Integer> ports = new ArrayList<>();
    private static ArtifactStore store;
    private static String bucket;

    @BeforeAll
    static void startReplicas() throws Exception {
        LocalStack s = LocalStack.get();
        bucket = s.uniqueBucket("replicas");
        store = new ArtifactStore(new StorageConfig(s.s3Endpoint(), s.s3AccessKey(), s.s3SecretKey(), s.s3Region(), bucket));
        store.ensureBucket();
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        assertThat(jar).as("packaged application").exists();
        for (int i = 0; i < 2; i++) {
            int port = 18181 + i + (int) (ProcessHandle.current().pid() % 500) * 2;
            Path log = Path.of("target/replica-" + i + ".log");
            ProcessBuilder pb = new ProcessBuilder("java", "-Xmx1g", "-Dai.djl.offline=true", "-Dquarkus.http.port=" + port,
                    "-Dquarkus.http.host=127.0.0.1", "-jar", jar.toString());
            Map<String, String> env = pb.environment();
            env.putAll(s.env());
            env.put("S3_BUCKET", bucket);
            env.put("OPT_OUT_TRACKING", "true");
            env.put("CIRCUITS_WORK_DIR", Path.of("target/replica-work-" + i).toAbsolutePath().toString());
            pb.redirectErrorStream(true).redirectOutput(log.toFile());
            replicas.add(pb.start());
            ports.add(port);
        }
        HttpClient http = HttpClient.newHttpClient();
        for (int port : ports) {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() ->
                    http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        }
    }

    @AfterAll
    static void stopReplicas() throws Exception {
        for (Process p : replicas) {
            p.destroy();
        }
        for (Process p : replicas) {
            p.waitFor();
        }
        if (store != null) {
            store.close();
        }
    }

    @Test
    void twoReplicasScoreACorpusWithNoShardLostOrScoredTwice() throws Exception {
        LocalStack s = LocalStack.get();
        Path corpus = Files.createTempFile("corpus", ".jsonl");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < SHARDS * 2; i++) {
            b.append(EventCodec.mapper().createObjectNode().put("text",
                    "Document number " + i + " describes the harbour, the river and the old stone bridge of a small town "
                            + "whose market has been held every Saturday for more than three hundred years."))
                    .append('\n');
        }
        Files.writeString(corpus, b);
        ArtifactRef ref = store.put("inputs/replicas-" + UUID.randomUUID() + ".jsonl", corpus, "application/x-ndjson");
        ScoreRequest req = new ScoreRequest(1, null, "builtin:tiny", ref, "text", 16, 8, 2, 2, null).normalized();

        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.kafkaBootstrap());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            ProducerRecord<String, String> r = new ProducerRecord<>(Topics.SCORE_REQUESTS, req.jobId(), EventCodec.toJson(req));
            r.headers().add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
            r.headers().add("ce_id", (req.jobId() + "/request").getBytes(StandardCharsets.UTF_8));
            r.headers().add("ce_type", "org.memcircuits.score.request.v1".getBytes(StandardCharsets.UTF_8));
            r.headers().add("ce_source", "urn:test".getBytes(StandardCharsets.UTF_8));
            producer.send(r).get();
        }

        List<ScoreResult> results = new ArrayList<>();
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            results.clear();
            results.addAll(results(s, req.jobId()));
            return !results.isEmpty();
        });
        assertThat(results).hasSize(1);
        List<ScoreRecord> records = new String(store.read(results.get(0).scores()), StandardCharsets.UTF_8).lines()
                .map(l -> EventCodec.fromJson(l, ScoreRecord.class)).toList();
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < SHARDS * 2; i++) {
            expected.add(i);
        }
        assertThat(records).extracting(ScoreRecord::document).containsExactlyElementsOf(expected);
        assertThat(results.get(0).stats().scored()).isEqualTo(SHARDS * 2);

        Map<Integer, Double> shardsPerReplica = new HashMap<>();
        HttpClient http = HttpClient.newHttpClient();
        for (int port : ports) {
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("(?m)^circuits_scorer_shards_scored_total(\\{[^}]*\\})? ([0-9.eE+]+)").matcher(metrics);
            shardsPerReplica.put(port, m.find() ? Double.parseDouble(m.group(2)) : 0.0);
        }
        assertThat(shardsPerReplica.values().stream().mapToDouble(Double::doubleValue).sum())
                .as("shards scored across replicas %s", shardsPerReplica).isEqualTo(SHARDS);
        assertThat(shardsPerReplica.values()).as("both replicas did work: %s", shardsPerReplica).allMatch(v -> v > 0);
    }

    private static List<ScoreResult> results(LocalStack s, String jobId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.kafkaBootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ScoreResult> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(Topics.SCORE_RESULTS));
            long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(300))) {
                    if (jobId.equals(r.key())) {
                        out.add(EventCodec.fromJson(r.value(), ScoreResult.class));
                    }
                }
            }
        }
        return out;
    }

}
