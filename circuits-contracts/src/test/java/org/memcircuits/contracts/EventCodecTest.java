package org.memcircuits.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class EventCodecTest {
    private static final ArtifactRef CORPUS = new ArtifactRef("s3://circuits/inputs/wiki.jsonl.zst", "a".repeat(64), 10,
            "application/zstd");

    @Test
    void requestsRoundTripAndJobIdsAreDeterministic() {
        ScoreRequest r = new ScoreRequest(1, null, "builtin:tiny", CORPUS, null, null, null, null, null, null).normalized();
        assertThat(r.jobId()).startsWith("score-").hasSize(26);
        assertThat(r.problems()).isEmpty();
        ScoreRequest back = EventCodec.fromJson(EventCodec.toJson(r), ScoreRequest.class);
        assertThat(back).isEqualTo(r);
        assertThat(back.normalized().jobId()).isEqualTo(r.jobId());
        ScoreRequest other = new ScoreRequest(1, null, "builtin:tiny", CORPUS, null, 40, null, null, null, null).normalized();
        assertThat(other.jobId()).isNotEqualTo(r.jobId());
    }

    @Test
    void unknownFieldsAndWrongTypesNameTheField() {
        assertThatThrownBy(() -> EventCodec.fromJson("{\"schemaVersion\":1,\"modle\":\"x\"}", ScoreRequest.class))
                .isInstanceOf(ContractException.class).hasMessageContaining("unknown field 'modle'");
        assertThatThrownBy(() -> EventCodec.fromJson("{\"schemaVersion\":1,\"promptTokens\":\"many\"}", ScoreRequest.class))
                .isInstanceOf(ContractException.class).hasMessageContaining("promptTokens");
        assertThatThrownBy(() -> EventCodec.fromJson("{\"corpus\":{\"uri\":\"http://x\",\"sha256\":\"00\",\"size\":1}}",
                        ScoreRequest.class))
                .isInstanceOf(ContractException.class).hasMessageContaining("s3://bucket/key");
        assertThatThrownBy(() -> EventCodec.fromJson("not json", ScoreRequest.class))
                .isInstanceOf(ContractException.class).hasMessageContaining("not valid JSON");
    }

    @Test
    void outOfRangeParametersAreListedByField() {
        ScoreRequest r = new ScoreRequest(1, "Bad Id", "", null, "text", 0, 5000, 1, 1, List.of("dance")).normalized();
        assertThat(r.problems()).anySatisfy(p -> assertThat(p).startsWith("jobId:"))
                .anySatisfy(p -> assertThat(p).startsWith("model:"))
                .anySatisfy(p -> assertThat(p).startsWith("corpus:"))
                .anySatisfy(p -> assertThat(p).startsWith("promptTokens:"))
                .anySatisfy(p -> assertThat(p).startsWith("generationTokens:"))
                .anySatisfy(p -> assertThat(p).contains("unknown stage 'dance'"));
    }

    @Test
    void artifactRefsParseBucketAndKey() {
        assertThat(CORPUS.bucket()).isEqualTo("circuits");
        assertThat(CORPUS.key()).isEqualTo("inputs/wiki.jsonl.zst");
        assertThat(ArtifactKeys.scoreShard("score-1", 7)).isEqualTo("jobs/score-1/score/shards/00007.jsonl");
    }
}
