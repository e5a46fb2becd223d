package org.memcircuits.attribution;

/** A tokenized contrastive pair: the model runs on one prompt and is patched from the other. */
public record PromptPair(long[] clean, long[] corrupt, long[] answers, long[] wrongAnswers) {}
