package org.memcircuits.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One line of the scores JSONL artifact: the original pipeline's schema (token ids and their
 * decoded text, special tokens skipped) plus the document's index in the corpus.
 */
@JsonPropertyOrder({"document", "context", "decoded_context", "completion", "decoded_completion", "true_completion",
        "decoded_true_completion", "memorization_score"})
public record ScoreRecord(
        long document,
        long[] context,
        @JsonProperty("decoded_context") String decodedContext,
        long[] completion,
        @JsonProperty("decoded_completion") String decodedCompletion,
        @JsonProperty("true_completion") long[] trueCompletion,
        @JsonProperty("decoded_true_completion") String decodedTrueCompletion,
        @JsonProperty("memorization_score") double memorizationScore) {

    /** Matching positions: score x G, exact (scores are multiples of 1/G). */
    public int matches() {
        int m = 0;
        for (int i = 0; i < completion.length; i++) {
            if (completion[i] == trueCompletion[i]) {
                m++;
            }
        }
        return m;
    }
}
