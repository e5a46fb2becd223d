package org.memcircuits.graph;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.memcircuits.model.ModelPreset;

class CircuitGraphTest {
    @Test
    void gptNeo125mHasThePublishedCounts() {
        CircuitGraph g = new CircuitGraph(ModelPreset.GPT_NEO_125M.config(), true);
        assertThat(g.sources()).hasSize(157);
        assertThat(g.destinations()).hasSize(445);
        assertThat(g.edgeCount()).isEqualTo(32_491);
        assertThat(new CircuitGraph(ModelPreset.GPT_NEO_125M.config(), false).edgeCount()).isEqualTo(11_611);
        assertThat(new CircuitGraph(ModelPreset.GPT2_SMALL.config(), true).edgeCount()).isEqualTo(32_491);
    }

    @Test
    void namesAndSourceIndicesFollowAutoCircuitAndEapIg() {
        CircuitGraph g = new CircuitGraph(ModelPreset.GPT_NEO_125M.config(), true);
        assertThat(g.sources().get(0).name()).isEqualTo("input");
        assertThat(g.sources().get(1 + 13 * 3 + 5).name()).isEqualTo("a3.h5");
        assertThat(g.sources().get(13 + 13 * 7).name()).isEqualTo("m7");
        CircuitGraph.Destination q = g.destinations().stream().filter(d -> d.name().equals("a4.h1<q>")).findFirst().orElseThrow();
        assertThat(q.sources()).isEqualTo(1 + 13 * 4);
        assertThat(q.hook()).isEqualTo("blocks.4.hook_q_input");
        CircuitGraph.Destination m2 = g.destinations().stream().filter(d -> d.name().equals("m2")).findFirst().orElseThrow();
        assertThat(m2.sources()).isEqualTo(13 * 3);
        assertThat(g.destinations().get(444).name()).isEqualTo("logits");
        assertThat(g.destinations().get(444).hook()).isEqualTo("blocks.11.hook_resid_post");
        assertThat(CircuitGraph.edgeName(g.sources().get(1 + 13 * 3 + 5), m2)).isEqualTo("a3.h5->m2");
    }
}
