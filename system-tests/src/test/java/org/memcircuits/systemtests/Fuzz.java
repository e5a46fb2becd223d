package org.memcircuits.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.memcircuits.contracts.ArtifactRef;
import org.memcircuits.contracts.ContrastiveRequest;
import org.memcircuits.contracts.ContrastiveResult;
import org.memcircuits.contracts.DiscoveryParams;
import org.memcircuits.contracts.DiscoveryRequest;
import org.memcircuits.contracts.DiscoveryResult;
import org.memcircuits.contracts.EventCodec;
import org.memcircuits.contracts.EventTypes;
import org.memcircuits.contracts.ScoreRequest;
import org.memcircuits.contracts.ScoreResult;
import org.memcircuits.contracts.ScoreShard;
import org.memcircuits.contracts.ScoreShardDone;
import org.memcircuits.contracts.ScoreStats;
import org.memcircuits.contracts.Topics;
import org.memcircuits.contracts.VerifyRequest;

/**
 * Malformed events, generated from a seed (the same seed gives the same events, byte for byte). Every one of them must
 * end on its topic's dead-letter topic: each is unparseable, breaks the strict schema, is out of range for a request, or,
 * on a chained topic, asks for the next stage on inputs that do not exist; none is a valid event a service could process.
 */
final class Fuzz {
    /** One malformed record: where it goes, what it is, and its key, value and headers (any may be null/empty). */
    record Event(String topic, String kind, byte[] key, byte[] value, Map<String, byte[]> headers) {}

    static final List<String> TOPICS = List.of(Topics.SCORE_REQUESTS, Topics.SCORE_SHARDS, Topics.SCORE_SHARDS_DONE,
            Topics.SCORE_RESULTS, Topics.CONTRASTIVE_REQUESTS, Topics.CONTRASTIVE_RESULTS, Topics.DISCOVERY_REQUESTS,
            Topics.DISCOVERY_RESULTS, Topics.VERIFY_REQUESTS);

    static final Map<String, String> TYPES = Map.of(Topics.SCORE_REQUESTS, EventTypes.SCORE_REQUEST, Topics.SCORE_SHARDS,
            EventTypes.SCORE_SHARD, Topics.SCORE_SHARDS_DONE, EventTypes.SCORE_SHARD_DONE, Topics.SCORE_RESULTS, EventTypes.SCORE_RESULT,
            Topics.CONTRASTIVE_REQUESTS, EventTypes.CONTRASTIVE_REQUEST, Topics.CONTRASTIVE_RESULTS, EventTypes.CONTRASTIVE_RESULT,
            Topics.DISCOVERY_REQUESTS, EventTypes.DISCOVERY_REQUEST, Topics.DISCOVERY_RESULTS, EventTypes.DISCOVERY_RESULT,
            Topics.VERIFY_REQUESTS, EventTypes.VERIFY_REQUEST);

    private static final String[] KINDS = {"bad-json", "wrong-type", "out-of-range", "unknown-field", "no-ce-headers",
        "garbage-ce-headers", "oversized", "deep-nesting", "binary-junk", "empty", "null"};

    private final Random rnd;
    private final String bucket;
    private int n;

    /** @param bucket where "missing" artifacts are said to live (a bucket that exists, keys that do not) */
    Fuzz(long seed, String bucket) {
        this.rnd = new Random(seed);
        this.bucket = bucket;
    }

    /** {@code perTopic} events for each consumed topic, every kind on every topic, the rest drawn at random. */
    List<Event> generate(int perTopic) {
        List<Event> out = new ArrayList<>();
        for (String topic : TOPICS) {
            for (int i = 0; i < perTopic; i++) {
                String kind = i < KINDS.length ? KINDS[i] : KINDS[rnd.nextInt(KINDS.length)];
                out.add(event(topic, kind));
            }
        }
        java.util.Collections.shuffle(out, rnd);
        return out;
    }

    private Event event(String topic, String kind) {
        n++;
        byte[] key = rnd.nextInt(8) == 0 ? null : ("fuzz-" + n).getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> headers = ce(topic);
        byte[] value;
        switch (kind) {
            case "bad-json" -> value = badJson(topic).getBytes(StandardCharsets.UTF_8);
            case "wrong-type" -> value = wrongType(topic).getBytes(StandardCharsets.UTF_8);
            case "out-of-range" -> value = outOfRange(topic).getBytes(StandardCharsets.UTF_8);
            case "unknown-field" -> {
                ObjectNode o = valid(topic);
                o.put(rnd.nextBoolean() ? "unexpected" : "jobID", "x" + rnd.nextInt(1000));
                value = o.toString().getBytes(StandardCharsets.UTF_8);
            }
            case "no-ce-headers" -> {
                headers = new LinkedHashMap<>();
                if (rnd.nextBoolean()) {
                    headers.put("ce_type", TYPES.get(topic).getBytes(StandardCharsets.UTF_8)); // partial: no specversion, id, source
                }
                value = anyInvalid(topic);
            }
            case "garbage-ce-headers" -> {
                String[] garbage = {"", "0.0", "2.0", "1.0\u0000", "\u00ff\u00fe", "x".repeat(3000), "null", "1.0; DROP"};
                headers.put("ce_specversion", bytes(garbage[rnd.nextInt(garbage.length)], rnd.nextInt(4) == 0));
                String[] times = {"yesterday", "2026-13-45T99:99:99Z", "", "0", "9999999999999999999", "2026-01-01T00:00:00+25:00"};
                headers.put("ce_time", bytes(times[rnd.nextInt(times.length)], false));
                if (rnd.nextBoolean()) {
                    headers.put("ce_source", new byte[] {(byte) 0xc3, (byte) 0x28});
                }
                if (rnd.nextBoolean()) {
                    headers.put("content-type", "application/json; charset=ebcdic".getBytes(StandardCharsets.UTF_8));
                }
                value = anyInvalid(topic);
            }
            case "oversized" -> {
                int size = 300 * 1024 + rnd.nextInt(600 * 1024);
                ObjectNode o = valid(topic);
                o.put("padding", "p".repeat(size));
                value = o.toString().getBytes(StandardCharsets.UTF_8);
            }
            case "deep-nesting" -> {
                int depth = 2000 + rnd.nextInt(8000);
                StringBuilder b = new StringBuilder();
                boolean arrays = rnd.nextBoolean();
                for (int i = 0; i < depth; i++) {
                    b.append(arrays ? "[" : "{\"a\":");
                }
                b.append("1");
                for (int i = 0; i < depth; i++) {
                    b.append(arrays ? "]" : "}");
                }
                value = b.toString().getBytes(StandardCharsets.UTF_8);
            }
            case "binary-junk" -> {
                value = new byte[1 + rnd.nextInt(4096)];
                rnd.nextBytes(value);
                value[0] = (byte) (0x80 | value[0]); // never starts like JSON
            }
            case "empty" -> value = rnd.nextBoolean() ? new byte[0] : "   \n".getBytes(StandardCharsets.UTF_8);
            case "null" -> value = null;
            default -> throw new IllegalArgumentException(kind);
        }
        return new Event(topic, kind, key, value, headers);
    }

    private static byte[] bytes(String s, boolean latin1) {
        return s.getBytes(latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    private Map<String, byte[]> ce(String topic) {
        Map<String, byte[]> h = new LinkedHashMap<>();
        h.put("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
        h.put("ce_id", ("fuzz-" + n).getBytes(StandardCharsets.UTF_8));
        h.put("ce_type", TYPES.get(topic).getBytes(StandardCharsets.UTF_8));
        h.put("ce_source", "urn:fuzz".getBytes(StandardCharsets.UTF_8));
        h.put("content-type", "application/json".getBytes(StandardCharsets.UTF_8));
        return h;
    }

    private byte[] anyInvalid(String topic) {
        return switch (rnd.nextInt(4)) {
            case 0 -> badJson(topic).getBytes(StandardCharsets.UTF_8);
            case 1 -> wrongType(topic).getBytes(StandardCharsets.UTF_8);
            case 2 -> outOfRange(topic).getBytes(StandardCharsets.UTF_8);
            default -> {
                ObjectNode o = valid(topic);
                o.put("extra", 1);
                yield o.toString().getBytes(StandardCharsets.UTF_8);
            }
        };
    }

    private String badJson(String topic) {
        String v = valid(topic).toString();
        return switch (rnd.nextInt(5)) {
            case 0 -> v.substring(0, 1 + rnd.nextInt(v.length() - 2)); // truncated
            case 1 -> v.replaceFirst(":", "::");
            case 2 -> v + "}";
            case 3 -> "{'schemaVersion': 1, model: tiny}";
            default -> v.replace("\"", "");
        };
    }

    private String wrongType(String topic) {
        ObjectNode o = valid(topic);
        List<String> fields = new ArrayList<>();
        o.fieldNames().forEachRemaining(fields::add);
        String f = fields.get(rnd.nextInt(fields.size()));
        JsonNode old = o.get(f);
        if (old.isNumber()) {
            o.put(f, "not-a-number");
        } else if (old.isTextual()) {
            o.putArray(f).add(1).add(2);
        } else if (old.isArray()) {
            o.put(f, 12.5);
        } else if (old.isObject()) {
            o.put(f, rnd.nextBoolean() ? "s3://nowhere" : "[]");
        } else {
            o.putObject(f).put("x", 1);
        }
        if (old.isTextual() && f.equals("jobId")) {
            o.put("schemaVersion", "one");
        }
        return o.toString();
    }

    /** Out of range where the consumer validates; on chained topics also pointing at inputs that do not exist. */
    private String outOfRange(String topic) {
        ObjectNode o = valid(topic);
        switch (topic) {
            case Topics.SCORE_REQUESTS -> {
                String[] f = {"promptTokens", "generationTokens", "batchSize", "shardSize"};
                o.put(f[rnd.nextInt(f.length)], rnd.nextBoolean() ? 0 : 1_000_000_000);
            }
            case Topics.CONTRASTIVE_REQUESTS -> {
                if (rnd.nextBoolean()) {
                    o.put("threshold", rnd.nextBoolean() ? 0.0 : 7.5);
                } else {
                    o.put("batchSize", -1 - rnd.nextInt(100));
                }
            }
            case Topics.DISCOVERY_REQUESTS -> ((ObjectNode) o.get("params")).put(rnd.nextBoolean() ? "igSteps" : "batchSize", -3);
            case Topics.VERIFY_REQUESTS -> {
                if (rnd.nextBoolean()) {
                    o.put("randomTrials", 100_000);
                } else {
                    o.putArray("edges").add(-5);
                }
            }
            case Topics.SCORE_SHARDS -> {
                o.put("shardIndex", -1);
                o.put("fromDocument", 10);
                o.put("toDocument", 2);
            }
            case Topics.SCORE_SHARDS_DONE -> o.put("shardCount", "-1x"); // only structure is checked there
            case Topics.SCORE_RESULTS, Topics.CONTRASTIVE_RESULTS, Topics.DISCOVERY_RESULTS -> o.put("schemaVersion", -7);
            default -> throw new IllegalArgumentException(topic);
        }
        return o.toString();
    }

    private ArtifactRef missing(String what) {
        String sha = org.memcircuits.contracts.JobIds.sha256((what + n + rnd.nextLong()).getBytes(StandardCharsets.UTF_8));
        return new ArtifactRef(ArtifactRef.uri(bucket, "inputs/missing/" + what + "-" + n), sha, 100 + rnd.nextInt(1000),
                "application/json");
    }

    /**
     * A well-formed event whose processing must still fail: request topics, an input artifact that does not exist;
     * chained topics, the next stage asked for on a missing input.
     */
    ObjectNode valid(String topic) {
        String id = "fuzz-" + n + "-" + Integer.toHexString(rnd.nextInt());
        ScoreRequest sr = new ScoreRequest(1, id, Fixtures.MODEL, missing("corpus"), "text", 12, 8, 2, 4,
                List.of("contrastive", "discover", "verify"));
        Object e = switch (topic) {
            case Topics.SCORE_REQUESTS -> sr;
            case Topics.SCORE_SHARDS -> ScoreShard.of(sr, 0, 2, 0, 4);
            case Topics.SCORE_SHARDS_DONE -> new ScoreShardDone(1, id, 0, 2, missing("shard"), ScoreStats.empty(8), sr);
            case Topics.SCORE_RESULTS -> new ScoreResult(1, id, missing("scores"), missing("summary"), ScoreStats.empty(8), sr);
            case Topics.CONTRASTIVE_REQUESTS -> new ContrastiveRequest(1, id, Fixtures.MODEL, missing("scores"), null, "divergence", null,
                    null, null, 2, null, null);
            case Topics.CONTRASTIVE_RESULTS -> new ContrastiveResult(1, id, missing("dataset"), null, missing("summary"), 3,
                    new ContrastiveRequest(1, id, Fixtures.MODEL, missing("scores"), null, "divergence", null, null, null, 2, null,
                            List.of("discover", "verify")));
            case Topics.DISCOVERY_REQUESTS -> new DiscoveryRequest(1, id, Fixtures.MODEL, missing("dataset"), DiscoveryParams.defaults(),
                    null);
            case Topics.DISCOVERY_RESULTS -> new DiscoveryResult(1, id, missing("prune"), missing("graph"), missing("result"),
                    missing("svg"), 10, 0.9, new DiscoveryRequest(1, id, Fixtures.MODEL, missing("dataset"), DiscoveryParams.defaults(),
                            List.of("verify")));
            case Topics.VERIFY_REQUESTS -> new VerifyRequest(1, id, Fixtures.MODEL, missing("dataset"), missing("prune"), List.of(10),
                    null, null, null, null, 2, null, null, null, null, null, 4);
            default -> throw new IllegalArgumentException(topic);
        };
        try {
            return (ObjectNode) EventCodec.mapper().readTree(EventCodec.toJson(e));
        } catch (java.io.IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
