package org.memcircuits.contracts;

/** CloudEvents {@code type} attributes; the version suffix changes only with an incompatible schema. */
public final class EventTypes {
    private EventTypes() {}

    public static final String SOURCE_PREFIX = "urn:memorization-circuits:";
    public static final String SCORE_REQUEST = "org.memcircuits.score.request.v1";
    public static final String SCORE_SHARD = "org.memcircuits.score.shard.v1";
    public static final String SCORE_SHARD_DONE = "org.memcircuits.score.shard-done.v1";
    public static final String SCORE_RESULT = "org.memcircuits.score.result.v1";
    public static final String CONTRASTIVE_REQUEST = "org.memcircuits.contrastive.request.v1";
    public static final String CONTRASTIVE_RESULT = "org.memcircuits.contrastive.result.v1";
    public static final String DISCOVERY_REQUEST = "org.memcircuits.discovery.request.v1";
    public static final String DISCOVERY_RESULT = "org.memcircuits.discovery.result.v1";
    public static final String VERIFY_REQUEST = "org.memcircuits.verify.request.v1";
    public static final String VERIFY_RESULT = "org.memcircuits.verify.result.v1";
    public static final String STATUS = "org.memcircuits.status.v1";
}
