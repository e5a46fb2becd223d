package org.memcircuits.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetriesTest {

    @Test
    void theDefaultCoversAMinuteAndAHalf() {
        assertThat(Retries.DEFAULT.maxDuration()).isGreaterThanOrEqualTo(Duration.ofSeconds(90));
        // a recovered server is noticed within the longest wait (+ jitter), well inside the window
        assertThat(Retries.DEFAULT.maxBackoff().multipliedBy(5).dividedBy(4)).isLessThan(Duration.ofSeconds(10));
        assertThat(ArtifactStore.CONNECT_TIMEOUT.multipliedBy(4)).isLessThan(Retries.DEFAULT.maxDuration());
    }

    @Test
    void withinKeepsSeveralAttemptsInAShortWindow() {
        assertThat(Retries.within(Duration.ofMinutes(5))).isEqualTo(new Retries(Duration.ofMinutes(5), Duration.ofMillis(250),
                Duration.ofSeconds(5)));
        assertThat(Retries.within(Duration.ofSeconds(3))).isEqualTo(new Retries(Duration.ofSeconds(3), Duration.ofMillis(250),
                Duration.ofMillis(750)));
        assertThat(Retries.within(Duration.ofMillis(400))).isEqualTo(new Retries(Duration.ofMillis(400), Duration.ofMillis(50),
                Duration.ofMillis(100)));
    }

    @Test
    void nonsenseIsRefused() {
        assertThatThrownBy(() -> new Retries(Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(2))).hasMessageContaining("maxDuration");
        assertThatThrownBy(() -> new Retries(Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMillis(5)))
                .hasMessageContaining("maxBackoff");
        assertThatThrownBy(() -> new Retries(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(20)))
                .hasMessageContaining("maxDuration");
        assertThatThrownBy(() -> Retries.within(null)).hasMessageContaining("maxDuration");
    }
}
