package org.memcircuits.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * fabric8 keeps a field it does not know in the object's additionalProperties instead of failing; the API
 * server would drop it (or, with strict validation, refuse the object). A misspelt `readinesProbe` or
 * `securityContex` is thus caught here: every model object reachable from a typed object must have none.
 */
final class ModelWalk {
    private ModelWalk() {
    }

    static void assertNoUnknownFields(String where, Object root) {
        walk(where, "", root, new IdentityHashMap<>());
    }

    private static void walk(String where, String path, Object o, IdentityHashMap<Object, Boolean> seen) {
        if (o == null || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                walk(where, path + "[" + i++ + "]", e, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                walk(where, path + "." + e.getKey(), e.getValue(), seen);
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                assertThat((Map<?, ?>) value).as("%s: fields unknown to the Kubernetes API at %s", where,
                        path.isEmpty() ? "/" : path).isNullOrEmpty();
                continue;
            }
            String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            walk(where, path + "." + field, value, seen);
        }
    }
}
