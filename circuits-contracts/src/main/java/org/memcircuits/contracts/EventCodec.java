package org.memcircuits.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.stream.Collectors;

/**
 * JSON for event data. Strict on input: an unknown field, a missing required number or a wrong
 * type is a {@link ContractException} naming the field path, never a silently ignored typo.
 */
public final class EventCodec {
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private EventCodec() {}

    public static ObjectMapper mapper() {
        return STRICT;
    }

    public static String toJson(Object event) {
        try {
            return STRICT.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + event.getClass().getSimpleName(), e);
        }
    }

    public static <T> T fromJson(String json, Class<T> type) {
        if (json == null || json.isBlank()) {
            throw new ContractException(type.getSimpleName() + ": empty event data");
        }
        try {
            return STRICT.readValue(json, type);
        } catch (UnrecognizedPropertyException e) {
            throw new ContractException(type.getSimpleName() + ": unknown field '" + path(e) + "'", e);
        } catch (JsonMappingException e) {
            String path = path(e);
            throw new ContractException(type.getSimpleName() + (path.isEmpty() ? "" : " field '" + path + "'") + ": "
                    + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new ContractException(type.getSimpleName() + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Sorted keys, no whitespace: the input of deterministic ids. */
    static String canonical(Object o) {
        try {
            // Records serialise with sorted properties at every level; lists keep their order.
            return CANONICAL.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }
}
