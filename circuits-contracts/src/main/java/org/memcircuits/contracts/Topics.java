package org.memcircuits.contracts;

/**
 * Every Kafka topic, in one place. Each incoming channel has a dead-letter topic named
 * {@code <topic>.dlq} whose records keep the original headers plus the reason.
 */
public final class Topics {
    private Topics() {}

    /** Whole-pipeline job requests (score, contrastive, discover, verify, or any suffix of them). */
    public static final String JOBS = "circuits.jobs";

    /** Progress and outcome of every job and stage, keyed by job id. */
    public static final String STATUS = "circuits.status";

    public static final String SCORE_REQUESTS = "circuits.score.requests";
    /** Shards of a scoring job; scorer replicas share them through one consumer group. */
    public static final String SCORE_SHARDS = "circuits.score.shards";
    /** One event per finished shard, keyed by job id so one consumer sees a job's shards in order. */
    public static final String SCORE_SHARDS_DONE = "circuits.score.shards-done";
    public static final String SCORE_RESULTS = "circuits.score.results";

    public static final String CONTRASTIVE_REQUESTS = "circuits.contrastive.requests";
    public static final String CONTRASTIVE_RESULTS = "circuits.contrastive.results";
    public static final String DISCOVERY_REQUESTS = "circuits.discovery.requests";
    public static final String DISCOVERY_RESULTS = "circuits.discovery.results";
    public static final String VERIFY_REQUESTS = "circuits.verify.requests";
    public static final String VERIFY_RESULTS = "circuits.verify.results";

    public static String deadLetter(String topic) {
        return topic + ".dlq";
    }
}
