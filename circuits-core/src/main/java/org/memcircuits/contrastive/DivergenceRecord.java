package org.memcircuits.contrastive;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * One line of the divergence side file, the original's schema: the minimal context decoded as one
 * string, the true and the generated continuation from the branch on as one decoded string per token
 * (special tokens kept), the branch position (a float, as the original writes it) and the BLEU
 * scores before and after the drop (1.0 and 1.0 when no branch was found).
 */
@JsonPropertyOrder({"minimal_context", "next_gt_tokens", "next_generated_tokens", "diverging_position", "score_before",
        "score_after"})
public record DivergenceRecord(
        @JsonProperty("minimal_context") String minimalContext,
        @JsonProperty("next_gt_tokens") List<String> nextGtTokens,
        @JsonProperty("next_generated_tokens") List<String> nextGeneratedTokens,
        @JsonProperty("diverging_position") double divergingPosition,
        @JsonProperty("score_before") double scoreBefore,
        @JsonProperty("score_after") double scoreAfter) {}
