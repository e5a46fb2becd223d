package org.memcircuits.contrastive;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * One prompt of an auto-circuit dataset ({@code {"prompts":[...]}}); the memorization-decision
 * dataset adds {@code similarity_score} and, with divergence data, {@code diverging_position}
 * (absent keys are left out; readers ignore extra keys).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"clean", "corrupt", "answers", "wrong_answers", "similarity_score", "diverging_position"})
public record ContrastivePair(
        String clean,
        String corrupt,
        List<String> answers,
        @JsonProperty("wrong_answers") List<String> wrongAnswers,
        @JsonProperty("similarity_score") Double similarityScore,
        @JsonProperty("diverging_position") Integer divergingPosition) {

    public static ContrastivePair of(String clean, String corrupt, String answer, String wrongAnswer) {
        return new ContrastivePair(clean, corrupt, List.of(answer), List.of(wrongAnswer), null, null);
    }
}
