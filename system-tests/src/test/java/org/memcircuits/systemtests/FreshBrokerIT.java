package org.memcircuits.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.memcircuits.artifacts.ArtifactStore;
import org.memcircuits.artifacts.StorageConfig;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.ScoreRequest;
import org.memcircuits.contracts.Topics;
import org.memcircuits.testing.LocalStack;
import org.memcircuits.testing.StatusWatch;
import org.memcircuits.testing.TestKafka;

/**
 * The four services started at the same moment against a broker formatted a moment before (no topics, no groups), ten
 * times over ({@code -Dsystemtests.freshBroker.rounds}): every time all four become ready and a small scoring job runs
 * through. A stack of its own ({@code target/fresh-stack}, ports 49100/49102/49103, or
 * {@code -Dsystemtests.freshBroker.kafkaPort/controllerPort/s3Port}), so the shared test stack is untouched.
 */
class FreshBrokerIT {
    private static final int ROUNDS = Integer.getInteger("systemtests.freshBroker.rounds", 10);
    private static LocalStack stack;
    private static ArtifactStore store;

    @BeforeAll
    static void start() throws IOException {
        Path home = Path.of("target/fresh-stack").toAbsolutePath();
        // the server classpaths resolved for the shared test stack are valid here too (same runner poms): saves a Maven run
        LocalStack shared = LocalStack.get();
        for (String c : List.of("kafka", "s3")) {
            for (String f : List.of("classpath.txt", "classpath.pom.sha256")) {
                Path src = shared.home().resolve(c).resolve(f);
                if (Files.isRegularFile(src)) {
                    Files.createDirectories(home.resolve(c));
                    Files.copy(src, home.resolve(c).resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        stack = LocalStack.startSeparate(home, Integer.getInteger("systemtests.freshBroker.kafkaPort", 49102),
                Integer.getInteger("systemtests.freshBroker.controllerPort", 49103),
                Integer.getInteger("systemtests.freshBroker.s3Port", 49100));
        store = new ArtifactStore(new StorageConfig(stack.s3Endpoint(), stack.s3AccessKey(), stack.s3SecretKey(), stack.s3Region(),
                stack.uniqueBucket("fresh")));
        store.ensureBucket();
    }

    @AfterAll
    static void stop() {
        if (store != null) {
            store.close();
        }
        if (stack != null) {
            stack.stop();
        }
    }

    @Test
    void fourServicesStartTogetherOnAFreshlyFormattedBroker() {
        List<String> rounds = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            long t0 = System.nanoTime();
            stack.reformatKafka();
            long formatted = KillAndRestartIT.ms(t0);
            Pipeline p = Pipeline.start(stack, store.bucket(), "fresh", Pipeline.ALL);
            try {
                long ready = KillAndRestartIT.ms(t0);
                List<String> texts = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    texts.add("Round " + round + ": " + Fixtures.text(i));
                }
                ArtifactRef corpus = Fixtures.putText(store, "inputs/round-" + round + ".jsonl", Fixtures.jsonl(texts),
                        "application/x-ndjson");
                ScoreRequest req = new ScoreRequest(1, null, Fixtures.MODEL, corpus, "text", Fixtures.P, Fixtures.G, 4, 4, null)
                        .normalized();
                try (StatusWatch w = StatusWatch.fromNow(stack.kafkaBootstrap())) {
                    TestKafka.send(stack.kafkaBootstrap(), Topics.SCORE_REQUESTS, req.jobId(), EventTypes.SCORE_REQUEST,
                            EventCodec.toJson(req));
                    w.awaitSucceeded(req.jobId(), "score", Duration.ofMinutes(3));
                }
                assertThat(p.notReady()).as("round %d: services not ready after the job", round).isEmpty();
                String line = String.format("round %d: broker formatted in %d ms, all four ready at %d ms, job done at %d ms", round,
                        formatted, ready, KillAndRestartIT.ms(t0));
                rounds.add(line);
                KillAndRestartIT.log("fresh broker %s", line);
            } finally {
                p.kill(); // the next round reformats the broker anyway: no graceful shutdown to wait for
            }
        }
        assertThat(rounds).hasSize(ROUNDS);
    }
}
