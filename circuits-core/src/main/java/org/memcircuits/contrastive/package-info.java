/**
 * Stage 2, the contrastive datasets circuit discovery reads, built from stage-1 score records as
 * the original {@code contrastive_dataset.py} builds them.
 *
 * <ul>
 *   <li><b>Branch decision</b> ({@code --mode divergence}): {@link org.memcircuits.contrastive.DivergenceSearch}
 *       finds where each memorized sample leaves its memorized continuation as the context shrinks
 *       (smoothed BLEU-4 on token ids, {@link org.memcircuits.contrastive.Bleu4});
 *       {@link org.memcircuits.contrastive.BranchDecision} turns that into clean/corrupt pairs that
 *       differ in the token at the branch, and the divergence side file.
 *   <li><b>Memorization decision</b> ({@code --mode dataset}):
 *       {@link org.memcircuits.contrastive.MemorizationDecision} pairs memorized contexts with
 *       unmemorized ones, at the branch position when divergence rows are given.
 * </ul>
 *
 * <p>Deliberate choices, each also stated where it is made: clean/corrupt pairs that re-tokenize to
 * different lengths are kept by default (discovery left-pads with an attention mask) and dropped
 * only on request; every filter is reported with how many items it matched and removed and why
 * ({@link org.memcircuits.contrastive.ContrastiveSummary}); decode/encode round trips are reproduced
 * (strings are what later stages read) and their failures counted; generation always yields the
 * requested number of tokens; ties are broken by input order (stable sorts). The model-dependent
 * parts sit behind {@link org.memcircuits.contrastive.ContrastiveModel}.
 */
package org.memcircuits.contrastive;
