package org.memcircuits.contracts;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import jakarta.annotation.Priority;
import java.util.HashMap;
import java.util.Map;

/**
 * Feeds the services' channel-to-topic wiring from {@link Topics}, so no topic name is ever typed
 * twice. A channel is named after its topic without the {@code circuits.} prefix, dots as dashes
 * ({@code circuits.score.shards} is incoming channel {@code score-shards} and outgoing channel
 * {@code score-shards-out}: SmallRye forbids one name for both); an incoming channel's dead-letter
 * topic is {@code <topic>.dlq}.
 *
 * <p>An interceptor, not a config source: it answers only when a configured channel asks for its
 * topic and nothing else set one, so it never declares channels a service does not have, and
 * application.properties or the environment still override it.
 */
@Priority(50)
public final class TopicsConfigInterceptor implements ConfigSourceInterceptor {
    private static final Map<String, String> DEFAULTS = build();

    public static String channel(String topic) {
        return topic.replaceFirst("^circuits\\.", "").replace('.', '-');
    }

    private static Map<String, String> build() {
        Map<String, String> m = new HashMap<>();
        for (String topic : new String[] {Topics.JOBS, Topics.STATUS, Topics.SCORE_REQUESTS, Topics.SCORE_SHARDS,
                Topics.SCORE_SHARDS_DONE, Topics.SCORE_RESULTS, Topics.CONTRASTIVE_REQUESTS, Topics.CONTRASTIVE_RESULTS,
                Topics.DISCOVERY_REQUESTS, Topics.DISCOVERY_RESULTS, Topics.VERIFY_REQUESTS, Topics.VERIFY_RESULTS}) {
            String ch = channel(topic);
            m.put("mp.messaging.incoming." + ch + ".topic", topic);
            m.put("mp.messaging.incoming." + ch + ".dead-letter-queue.topic", Topics.deadLetter(topic));
            m.put("mp.messaging.outgoing." + ch + "-out.topic", topic);
        }
        return Map.copyOf(m);
    }

    /** The topic a channel property defaults to, or null. */
    public static String defaultFor(String property) {
        return DEFAULTS.get(property);
    }

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue v = context.proceed(name);
        if (v != null) {
            return v;
        }
        String topic = DEFAULTS.get(name);
        return topic == null
                ? null
                : ConfigValue.builder().withName(name).withValue(topic).withRawValue(topic)
                        .withConfigSourceName("circuits-topics").withConfigSourceOrdinal(50).build();
    }
}
