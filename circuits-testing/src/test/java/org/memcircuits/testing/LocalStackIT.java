package org.memcircuits.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalStackExtension.class)
class LocalStackIT {

    @Test
    void serversAnswerOnTestPorts(LocalStack stack) throws Exception {
        assertThat(stack).isSameAs(LocalStack.get());
        assertThat(stack.kafkaBootstrap()).isEqualTo("127.0.0.1:" + stack.kafkaPort());
        assertThat(stack.s3Endpoint()).isEqualTo("http://127.0.0.1:" + stack.s3Port());
        assertThat(stack.home()).isEqualTo(stack.repoRoot().resolve(".stack-test"));
        assertThat(Files.readString(stack.home().resolve(".gitignore"))).contains("*");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", stack.kafkaPort()), 2000);
        }
        // s3proxy refuses an unsigned request, but it answers
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(stack.s3Endpoint() + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(stack.env()).containsEntry("S3_ENDPOINT", stack.s3Endpoint())
                .containsEntry("KAFKA_BOOTSTRAP_SERVERS", stack.kafkaBootstrap());
    }

    @Test
    void uniqueBucketNamesAreValidAndDistinct(LocalStack stack) {
        Set<String> seen = new HashSet<>();
        for (String hint : new String[] {"ArtifactStoreTest", "", "9lives", "xn--abc", "A_very.Long/hint!".repeat(10), null}) {
            for (int i = 0; i < 50; i++) {
                String b = stack.uniqueBucket(hint);
                assertThat(b).hasSizeBetween(3, 63).matches("[a-z][a-z0-9-]*[a-z0-9]").doesNotStartWith("xn--")
                        .doesNotContain("--");
                assertThat(seen.add(b)).as("unique: %s", b).isTrue();
            }
        }
        assertThat(stack.uniqueTopic("Score Requests")).matches("score-requests-[a-z0-9-]+");
    }
}
