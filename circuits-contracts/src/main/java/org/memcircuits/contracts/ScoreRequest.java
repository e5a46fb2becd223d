package org.memcircuits.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/**
 * Score a corpus for verbatim memorization: the first {@code promptTokens} of every document are
 * continued greedily for {@code generationTokens}, and the score is the fraction of positions whose
 * generated token equals the true one.
 *
 * @param jobId optional on submission; when absent it is derived from everything else, so the
 *     same request always names the same job
 * @param model {@code builtin:PRESET} or a checkpoint directory the service can read
 * @param corpus JSONL (optionally .zst/.gz) or Parquet, by the object key's extension
 * @param shardSize documents per shard: the unit scorer replicas share
 * @param next stages to run after this one (e.g. contrastive, discover, verify)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScoreRequest(
        int schemaVersion,
        String jobId,
        String model,
        ArtifactRef corpus,
        String textField,
        Integer promptTokens,
        Integer generationTokens,
        Integer batchSize,
        Integer shardSize,
        List<String> next) implements StageRequest {

    public static final int SCHEMA_VERSION = 1;
    public static final int MAX_TOKENS = 2048;

    /** The request with defaults filled in and the job id derived when absent. */
    public ScoreRequest normalized() {
        ScoreRequest r = new ScoreRequest(
                schemaVersion == 0 ? SCHEMA_VERSION : schemaVersion,
                null,
                model,
                corpus,
                textField == null ? "text" : textField,
                promptTokens == null ? 50 : promptTokens,
                generationTokens == null ? 50 : generationTokens,
                batchSize == null ? 32 : batchSize,
                shardSize == null ? 1000 : shardSize,
                next == null ? List.of() : List.copyOf(next));
        return r.withJobId(jobId != null ? jobId : JobIds.derive("score", r));
    }

    public ScoreRequest withJobId(String id) {
        return new ScoreRequest(schemaVersion, id, model, corpus, textField, promptTokens, generationTokens, batchSize,
                shardSize, next);
    }

    /** What is wrong with a (normalized) request, each problem naming its field; empty if valid. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (schemaVersion != SCHEMA_VERSION) {
            p.add("schemaVersion: expected " + SCHEMA_VERSION + ", got " + schemaVersion);
        }
        if (JobIds.problem(jobId) != null) {
            p.add(JobIds.problem(jobId));
        }
        if (model == null || model.isBlank()) {
            p.add("model: required (builtin:PRESET or a checkpoint directory)");
        }
        if (corpus == null) {
            p.add("corpus: required (an artifact reference s3://bucket/key with sha256 and size)");
        }
        if (textField == null || textField.isBlank()) {
            p.add("textField: must not be blank");
        }
        range(p, "promptTokens", promptTokens, 1, MAX_TOKENS);
        range(p, "generationTokens", generationTokens, 1, MAX_TOKENS);
        if (promptTokens != null && generationTokens != null && promptTokens + generationTokens > MAX_TOKENS) {
            p.add("promptTokens + generationTokens: at most " + MAX_TOKENS + ", got " + (promptTokens + generationTokens));
        }
        range(p, "batchSize", batchSize, 1, 4096);
        range(p, "shardSize", shardSize, 1, 10_000_000);
        if (next != null) {
            for (String s : next) {
                if (Stage.chainable().stream().noneMatch(st -> st.id().equals(s))) {
                    p.add("next: unknown stage '" + s + "' (expected one of " + Stage.chainable() + ")");
                }
            }
        }
        return p;
    }

    private static void range(List<String> p, String field, Integer v, int lo, int hi) {
        if (v == null) {
            p.add(field + ": required");
        } else if (v < lo || v > hi) {
            p.add(field + ": expected " + lo + ".." + hi + ", got " + v);
        }
    }
}
