package org.memcircuits.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelsTest {

    @Test
    void everyChannelIsNamedAfterItsTopic() {
        assertThat(Channels.SCORE_REQUESTS).isEqualTo(TopicsConfigInterceptor.channel(Topics.SCORE_REQUESTS));
        assertThat(Channels.SCORE_SHARDS).isEqualTo(TopicsConfigInterceptor.channel(Topics.SCORE_SHARDS));
        assertThat(Channels.SCORE_SHARDS_OUT).isEqualTo(TopicsConfigInterceptor.channel(Topics.SCORE_SHARDS) + "-out");
        assertThat(Channels.SCORE_SHARDS_DONE).isEqualTo(TopicsConfigInterceptor.channel(Topics.SCORE_SHARDS_DONE));
        assertThat(Channels.SCORE_SHARDS_DONE_OUT).isEqualTo(TopicsConfigInterceptor.channel(Topics.SCORE_SHARDS_DONE) + "-out");
        assertThat(Channels.SCORE_RESULTS).isEqualTo(TopicsConfigInterceptor.channel(Topics.SCORE_RESULTS));
        assertThat(Channels.SCORE_RESULTS_OUT).isEqualTo(TopicsConfigInterceptor.channel(Topics.SCORE_RESULTS) + "-out");
        assertThat(Channels.CONTRASTIVE_REQUESTS).isEqualTo(TopicsConfigInterceptor.channel(Topics.CONTRASTIVE_REQUESTS));
        assertThat(Channels.CONTRASTIVE_RESULTS).isEqualTo(TopicsConfigInterceptor.channel(Topics.CONTRASTIVE_RESULTS));
        assertThat(Channels.CONTRASTIVE_RESULTS_OUT).isEqualTo(TopicsConfigInterceptor.channel(Topics.CONTRASTIVE_RESULTS) + "-out");
        assertThat(Channels.DISCOVERY_REQUESTS).isEqualTo(TopicsConfigInterceptor.channel(Topics.DISCOVERY_REQUESTS));
        assertThat(Channels.DISCOVERY_RESULTS).isEqualTo(TopicsConfigInterceptor.channel(Topics.DISCOVERY_RESULTS));
        assertThat(Channels.DISCOVERY_RESULTS_OUT).isEqualTo(TopicsConfigInterceptor.channel(Topics.DISCOVERY_RESULTS) + "-out");
        assertThat(Channels.VERIFY_REQUESTS).isEqualTo(TopicsConfigInterceptor.channel(Topics.VERIFY_REQUESTS));
        assertThat(Channels.VERIFY_RESULTS_OUT).isEqualTo(TopicsConfigInterceptor.channel(Topics.VERIFY_RESULTS) + "-out");
        assertThat(Channels.STATUS_OUT).isEqualTo(TopicsConfigInterceptor.channel(Topics.STATUS) + "-out");
    }

    @Test
    void stagesFindTheirPlaceInNext() {
        List<String> next = List.of("contrastive", "discover", "verify");
        assertThat(Stage.CONTRASTIVE.after(next)).containsExactly("discover", "verify");
        assertThat(Stage.VERIFY.after(next)).isEmpty();
        assertThat(Stage.DISCOVER.after(List.of("contrastive"))).isNull();
        assertThat(Stage.DISCOVER.after(null)).isNull();
        assertThat(Stage.byId("discover")).isEqualTo(Stage.DISCOVER);
        assertThatThrownBy(() -> Stage.byId("discovery")).hasMessageContaining("[score, contrastive, discover, verify]");
        assertThat(Stage.DISCOVER.resultEventId("j")).isEqualTo("j/discovery-result");
        assertThat(ArtifactKeys.announced(Stage.VERIFY, "j")).isEqualTo("jobs/j/verify/result-announced");
        assertThat(ArtifactKeys.announced(Stage.DISCOVER, "j")).isEqualTo("jobs/j/discover/result-announced");
        assertThat(ArtifactKeys.announced(Stage.CONTRASTIVE, "j")).isEqualTo("jobs/j/contrastive/result-announced");
        assertThat(ArtifactKeys.announced(Stage.SCORE, "j")).isEqualTo("jobs/j/score/result-announced");
    }
}
