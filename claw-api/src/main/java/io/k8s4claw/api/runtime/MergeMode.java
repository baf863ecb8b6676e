package io.k8s4claw.api.runtime;

import io.k8s4claw.api.v1alpha1.ConfigMergeMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a Claw's {@code spec.config} is combined with what is already there (the adapter's defaults at render
 * time; for runtimes that rewrite their own config file, such as Hermes, also the file on the volume at pod
 * start). Trees are the plain-Java form of JSON/YAML: {@code Map<String, ?>} (objects), {@code List<?>}
 * (arrays), {@code String}, {@code Number}, {@code Boolean}, {@code null}.
 *
 * <ul>
 *   <li>{@link #DEEP_MERGE} ({@code DeepMerge}, the default): objects merge recursively key by key; an
 *       overlay's list or scalar replaces the base's value whole (lists are never concatenated — the rule
 *       Hermes applies to its own config); an overlay {@code null} removes the key.</li>
 *   <li>{@link #OVERWRITE} ({@code Overwrite}): each top-level key of the overlay replaces the base's value
 *       whole, without recursion; top-level keys the overlay does not name are kept; {@code null} removes.</li>
 *   <li>{@link #PASSTHROUGH} ({@code Passthrough}): the overlay is used verbatim and the base is ignored.
 *       Adapters also skip their key mapping: the user writes the runtime's native configuration. Values an
 *       adapter pins for security are applied separately (e.g. Hermes's managed scope) and still hold.</li>
 * </ul>
 *
 * <p>Results are fresh, mutable trees that share nothing with the inputs; key order is the base's order,
 * then the overlay's new keys in its order (stable output for golden files and config hashes).
 */
public enum MergeMode {
    DEEP_MERGE("DeepMerge"),
    OVERWRITE("Overwrite"),
    PASSTHROUGH("Passthrough");

    private final String specValue;

    MergeMode(String specValue) {
        this.specValue = specValue;
    }

    /** The value written in {@code spec.configMergeMode}. */
    public String specValue() {
        return specValue;
    }

    /** The mode of a Claw's {@code spec.configMergeMode}; {@code null} (unset) is the default {@link #DEEP_MERGE}. */
    public static MergeMode of(ConfigMergeMode specMode) {
        if (specMode == null) {
            return DEEP_MERGE;
        }
        return switch (specMode) {
            case DEEP_MERGE -> DEEP_MERGE;
            case OVERWRITE -> OVERWRITE;
            case PASSTHROUGH -> PASSTHROUGH;
        };
    }

    /** Parses a {@code spec.configMergeMode} value (exact spelling as in the CRD enum). */
    public static Optional<MergeMode> fromSpecValue(String value) {
        return Arrays.stream(values()).filter(m -> m.specValue.equals(value)).findFirst();
    }

    /** Whether adapters translate documented keys (e.g. {@code model} → {@code model.default}) in this mode. */
    public boolean mapsKeys() {
        return this != PASSTHROUGH;
    }

    /** Combines {@code overlay} over {@code base} according to this mode. Neither input is modified. */
    public Map<String, Object> merge(Map<String, ?> base, Map<String, ?> overlay) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(overlay, "overlay");
        return switch (this) {
            case DEEP_MERGE -> deepMerge(base, overlay);
            case OVERWRITE -> overwrite(base, overlay);
            case PASSTHROUGH -> copyMap(overlay);
        };
    }

    private static Map<String, Object> deepMerge(Map<String, ?> base, Map<String, ?> overlay) {
        Map<String, Object> result = copyMap(base);
        for (Map.Entry<String, ?> e : overlay.entrySet()) {
            Object over = e.getValue();
            Object under = result.get(e.getKey());
            if (over == null) {
                result.remove(e.getKey());
            } else if (over instanceof Map<?, ?> overMap && under instanceof Map<?, ?> underMap) {
                result.put(e.getKey(), deepMerge(asStringMap(underMap), asStringMap(overMap)));
            } else {
                result.put(e.getKey(), copy(over));
            }
        }
        return result;
    }

    private static Map<String, Object> overwrite(Map<String, ?> base, Map<String, ?> overlay) {
        Map<String, Object> result = copyMap(base);
        for (Map.Entry<String, ?> e : overlay.entrySet()) {
            if (e.getValue() == null) {
                result.remove(e.getKey());
            } else {
                result.put(e.getKey(), copy(e.getValue()));
            }
        }
        return result;
    }

    /** A deep, mutable copy of a JSON-like tree. */
    public static Map<String, Object> copyMap(Map<String, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(k, copy(v)));
        return out;
    }

    private static Object copy(Object value) {
        if (value instanceof Map<?, ?> m) {
            return copyMap(asStringMap(m));
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(v -> out.add(copy(v)));
            return out;
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> asStringMap(Map<?, ?> m) {
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                throw new IllegalArgumentException("configuration object keys must be strings, got " + k + " ("
                        + (k == null ? "null" : k.getClass().getSimpleName()) + ")");
            }
        }
        return (Map<String, ?>) m;
    }

    @Override
    public String toString() {
        return specValue;
    }
}
