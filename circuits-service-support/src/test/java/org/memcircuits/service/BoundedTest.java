package org.memcircuits.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BoundedTest {
    @Test
    void shortTextIsKeptAndLongTextIsCutWithItsLength() {
        assertThat(Bounded.text("abc", 10)).isEqualTo("abc");
        assertThat(Bounded.text(null, 10)).isNull();
        String cut = Bounded.text("x".repeat(1_000_000), 4096);
        assertThat(cut).hasSize(4096).endsWith("[truncated: 1000000 characters in all]").startsWith("xxxx");
    }
}
