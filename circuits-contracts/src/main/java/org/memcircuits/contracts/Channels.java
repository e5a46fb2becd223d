package org.memcircuits.contracts;

/**
 * Every messaging channel name, as annotations need them (compile-time constants). A channel is
 * named after its topic ({@link TopicsConfigInterceptor#channel}); outgoing channels end in
 * {@code -out}, since SmallRye forbids one name for both directions. {@code ChannelsTest} checks
 * each against its topic.
 */
public final class Channels {
    private Channels() {}

    public static final String SCORE_REQUESTS = "score-requests";
    public static final String SCORE_SHARDS = "score-shards";
    public static final String SCORE_SHARDS_OUT = "score-shards-out";
    public static final String SCORE_SHARDS_DONE = "score-shards-done";
    public static final String SCORE_SHARDS_DONE_OUT = "score-shards-done-out";
    public static final String SCORE_RESULTS = "score-results";
    public static final String SCORE_RESULTS_OUT = "score-results-out";
    public static final String CONTRASTIVE_REQUESTS = "contrastive-requests";
    public static final String CONTRASTIVE_RESULTS = "contrastive-results";
    public static final String CONTRASTIVE_RESULTS_OUT = "contrastive-results-out";
    public static final String DISCOVERY_REQUESTS = "discovery-requests";
    public static final String DISCOVERY_RESULTS = "discovery-results";
    public static final String DISCOVERY_RESULTS_OUT = "discovery-results-out";
    public static final String VERIFY_REQUESTS = "verify-requests";
    public static final String VERIFY_RESULTS_OUT = "verify-results-out";
    public static final String STATUS_OUT = "status-out";
}
