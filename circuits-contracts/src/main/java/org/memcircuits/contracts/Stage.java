package org.memcircuits.contracts;

import java.util.Arrays;
import java.util.List;

/**
 * The four stages, each with the name requests use in {@code next}, status events use in
 * {@code stage} and artifact keys use under {@code jobs/<jobId>/}, and the result it announces.
 */
public enum Stage {
    SCORE("score", Topics.SCORE_RESULTS, EventTypes.SCORE_RESULT, "score-result"),
    CONTRASTIVE("contrastive", Topics.CONTRASTIVE_RESULTS, EventTypes.CONTRASTIVE_RESULT, "contrastive-result"),
    DISCOVER("discover", Topics.DISCOVERY_RESULTS, EventTypes.DISCOVERY_RESULT, "discovery-result"),
    VERIFY("verify", Topics.VERIFY_RESULTS, EventTypes.VERIFY_RESULT, "verify-result");

    private final String id;
    private final String resultsTopic;
    private final String resultType;
    private final String resultSuffix;

    Stage(String id, String resultsTopic, String resultType, String resultSuffix) {
        this.id = id;
        this.resultsTopic = resultsTopic;
        this.resultType = resultType;
        this.resultSuffix = resultSuffix;
    }

    /** The stage's name in {@code next}, in status events and in artifact keys. */
    public String id() {
        return id;
    }

    public String resultsTopic() {
        return resultsTopic;
    }

    /** The CloudEvents type of the stage's result event. */
    public String resultType() {
        return resultType;
    }

    /** The deterministic CloudEvents id of a job's result event: a redelivered announcement is recognisable. */
    public String resultEventId(String jobId) {
        return jobId + "/" + resultSuffix;
    }

    /** The stages a request may chain after scoring, in pipeline order. */
    public static List<Stage> chainable() {
        return List.of(CONTRASTIVE, DISCOVER, VERIFY);
    }

    /** The stage named {@code id}, or an {@link IllegalArgumentException} listing the names. */
    public static Stage byId(String id) {
        return Arrays.stream(values()).filter(s -> s.id.equals(id)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "unknown stage '" + id + "' (expected one of " + Arrays.stream(values()).map(Stage::id).toList() + ")"));
    }

    /**
     * The stages after this one in a request's {@code next} list, or null when the list does not
     * name this stage (the upstream result is not for it).
     */
    public List<String> after(List<String> next) {
        if (next == null || !next.contains(id)) {
            return null;
        }
        return List.copyOf(next.subList(next.indexOf(id) + 1, next.size()));
    }

    @Override
    public String toString() {
        return id;
    }
}
