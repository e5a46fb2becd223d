package org.memcircuits.contrastive;

import java.util.List;

/**
 * The model-dependent parts of the contrastive stage, behind one seam so the selection logic can be
 * tested with small fakes. {@link CheckpointContrastiveModel} is the real one.
 */
public interface ContrastiveModel {
    /**
     * Greedy continuations of token-id prompts: exactly {@code newTokens} per row (a row that emitted
     * EOS may be continued with EOS, as Hugging Face {@code generate} pads finished rows).
     */
    long[][] generate(List<long[]> prompts, int newTokens);

    /** The greedy next token (argmax of the last position's logits) of each token-id prompt. */
    long[] predictNext(List<long[]> prompts);

    /**
     * One vector per text: the mean over the text's tokens of the model's last hidden state (after
     * the final LayerNorm, Hugging Face {@code hidden_states[-1]}); texts are tokenized afresh,
     * so a decode/encode round trip is part of the embedding, as in the original.
     */
    float[][] embed(List<String> texts);
}
