package org.memcircuits.contrastive;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a contrastive run kept and dropped. Every filter is listed, in the order it ran, with how
 * many items met its condition, how many it removed and why, even when that is zero or when the
 * filter is only counted (not applied): nothing is dropped without a line here. {@link #toMap()}
 * is the JSON form ({@code summary.json} and the command's stdout).
 */
public final class ContrastiveSummary {
    /**
     * One filter: {@code matched} items met its condition; {@code removed} of them were dropped
     * ({@code matched} when {@code applied}, else 0). {@code unit} says what was counted (records,
     * samples, pairs, divergence rows).
     */
    public record Filter(String name, String unit, long matched, long removed, boolean applied, String reason) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("filter", name);
            m.put("unit", unit);
            m.put("matched", matched);
            m.put("removed", removed);
            m.put("applied", applied);
            m.put("reason", reason);
            return m;
        }
    }

    private final String mode;
    private final Map<String, Object> counts = new LinkedHashMap<>();
    private final List<Filter> filters = new ArrayList<>();

    public ContrastiveSummary(String mode) {
        this.mode = mode;
    }

    public String mode() {
        return mode;
    }

    /** Sets a count or setting (insertion order is kept in the JSON). */
    public ContrastiveSummary put(String key, Object value) {
        counts.put(key, value);
        return this;
    }

    /** Adds to a numeric count. */
    public ContrastiveSummary add(String key, long n) {
        counts.merge(key, n, (a, b) -> ((Number) a).longValue() + ((Number) b).longValue());
        return this;
    }

    /** A filter that removed everything it matched. */
    public ContrastiveSummary removed(String name, String unit, long n, String reason) {
        filters.add(new Filter(name, unit, n, n, true, reason));
        return this;
    }

    /** A filter that may only be counted: it removes what it matched only when {@code applied}. */
    public ContrastiveSummary filter(String name, String unit, long matched, boolean applied, String reason) {
        filters.add(new Filter(name, unit, matched, applied ? matched : 0, applied, reason));
        return this;
    }

    public Object get(String key) {
        return counts.get(key);
    }

    public long count(String key) {
        Object v = counts.get(key);
        return v instanceof Number n ? n.longValue() : 0;
    }

    public List<Filter> filters() {
        return List.copyOf(filters);
    }

    public Filter filter(String name) {
        return filters.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no filter '" + name + "' in " + filters));
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode);
        m.putAll(counts);
        List<Map<String, Object>> f = new ArrayList<>();
        for (Filter x : filters) {
            f.add(x.toMap());
        }
        m.put("filters", f);
        return m;
    }
}
