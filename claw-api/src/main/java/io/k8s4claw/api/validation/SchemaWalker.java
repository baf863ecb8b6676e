package io.k8s4claw.api.validation;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Checks a JSON tree against the model classes' own schema annotations — the same {@code @Required},
 * {@code @Pattern}, {@code @Min}/{@code @Max}, {@code @Size} and enum values the CRD generator turns into the OpenAPI
 * schema — so Java and the API server reject the same things. Unlike the API server it also reports unknown
 * fields (a typo such as {@code mountpath} would otherwise be silently pruned).
 *
 * <p>Kubernetes' own types ({@code resources}, {@code env}, probes) are only checked to be objects/lists here;
 * the API server validates them when the operator creates the pod.
 */
final class SchemaWalker {

    private static final Map<Class<?>, Map<String, Field>> FIELDS = new ConcurrentHashMap<>();

    private final List<FieldError> errors = new ArrayList<>();
    private boolean blocking;

    List<FieldError> errors() {
        return errors;
    }

    /**
     * True when a value had the wrong type, an unknown enum value, a required field was missing or a string/list
     * was too long. kube-apiserver does not run CEL rules on such objects ("some validation rules were not checked
     * because the object was invalid"); the validators skip the cross-field rules likewise, so both report the same.
     */
    boolean hasBlockingErrors() {
        return blocking;
    }

    private void blocking(String path, String message) {
        blocking = true;
        errors.add(new FieldError(path, message));
    }

    /** Checks {@code node} (at {@code path}) against the model class {@code type}. */
    void checkObject(String path, JsonNode node, Class<?> type) {
        if (!node.isObject()) {
            blocking(path, "must be an object (got " + describe(node) + ")");
            return;
        }
        Map<String, Field> fields = fieldsOf(type);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!fields.containsKey(name)) {
                errors.add(new FieldError(path + "." + name, unknownField(name, fields.keySet())));
            }
        }
        for (Field f : fields.values()) {
            JsonNode value = node.get(f.getName());
            String childPath = path + "." + f.getName();
            if (value == null || value.isNull()) {
                if (f.isAnnotationPresent(Required.class)) {
                    blocking(childPath, required(f));
                }
                continue;
            }
            checkValue(childPath, value, f.getAnnotatedType(), f);
        }
    }

    /**
     * @param annotated   the (annotated) type expected at {@code path}; list elements carry their type-use
     *                    annotations, e.g. {@code List<@Pattern(CIDR) String>}
     * @param annotations where {@code @Pattern}/{@code @Size}/{@code @Min}/{@code @Max} are read from
     */
    private void checkValue(String path, JsonNode node, AnnotatedType annotated, AnnotatedElement annotations) {
        Type type = annotated.getType();
        Class<?> raw = rawClass(type);
        if (raw == JsonNode.class) {
            return; // free JSON (x-kubernetes-preserve-unknown-fields)
        }
        if (raw == String.class) {
            if (!node.isTextual()) {
                blocking(
                        path,
                        "must be a string (got " + describe(node) + ")"
                                + (node.isValueNode() ? "; quote it: \"" + node.asText() + "\"" : ""));
                return;
            }
            checkString(path, node.textValue(), annotations);
        } else if (raw == Integer.class || raw == Long.class) {
            if (!node.isIntegralNumber()) {
                blocking(path, "must be a whole number (got " + describe(node) + ")");
                return;
            }
            checkNumber(path, node.longValue(), annotations);
        } else if (raw == Boolean.class) {
            if (!node.isBoolean()) {
                blocking(path, "must be true or false (got " + describe(node) + ")");
            }
        } else if (raw.isEnum()) {
            checkEnum(path, node, raw);
        } else if (List.class.isAssignableFrom(raw)) {
            if (!node.isArray()) {
                blocking(path, "must be a list (got " + describe(node) + ")");
                return;
            }
            Size size = annotations == null ? null : annotations.getAnnotation(Size.class);
            if (size != null && node.size() > size.max()) {
                blocking(path, "has " + node.size() + " entries; at most " + size.max() + " are allowed");
            }
            AnnotatedType element = ((AnnotatedParameterizedType) annotated).getAnnotatedActualTypeArguments()[0];
            for (int i = 0; i < node.size(); i++) {
                JsonNode item = node.get(i);
                if (item.isNull()) {
                    errors.add(new FieldError(path + "[" + i + "]", "must not be null"));
                } else {
                    checkValue(path + "[" + i + "]", item, element, element);
                }
            }
        } else if (Map.class.isAssignableFrom(raw)) {
            if (!node.isObject()) {
                blocking(path, "must be a map of strings (got " + describe(node) + ")");
                return;
            }
            node.fields().forEachRemaining(e -> {
                if (!e.getValue().isTextual()) {
                    blocking(path + "." + e.getKey(), "must be a string (got " + describe(e.getValue()) + ")");
                }
            });
        } else if (raw.getName().startsWith("io.fabric8.")) {
            if (!node.isObject()) {
                blocking(path, "must be an object (got " + describe(node) + ")");
            }
        } else {
            checkObject(path, node, raw);
        }
    }

    private void checkString(String path, String value, AnnotatedElement f) {
        if (f == null) {
            return;
        }
        Size size = f.getAnnotation(Size.class);
        if (size != null && value.length() > size.max()) {
            blocking(path, "is " + value.length() + " characters long; at most " + size.max() + " are allowed");
            return;
        }
        if (size != null && value.length() < size.min()) {
            errors.add(new FieldError(path, "must not be empty"));
            return;
        }
        Pattern pattern = f.getAnnotation(Pattern.class);
        if (pattern != null
                // fully qualified: Pattern here is io.fabric8.generator.annotation.Pattern
                && !java.util.regex.Pattern.compile(pattern.value())
                        .matcher(value)
                        .matches()) {
            errors.add(new FieldError(path, PatternMessages.explain(pattern.value(), value)));
        }
    }

    private void checkNumber(String path, long value, AnnotatedElement f) {
        if (f == null) {
            return;
        }
        Min min = f.getAnnotation(Min.class);
        if (min != null && value < min.value()) {
            errors.add(new FieldError(path, "must be at least " + (long) min.value() + " (got " + value + ")"));
        }
        Max max = f.getAnnotation(Max.class);
        if (max != null && value > max.value()) {
            errors.add(new FieldError(path, "must be at most " + (long) max.value() + " (got " + value + ")"));
        }
    }

    private void checkEnum(String path, JsonNode node, Class<?> enumType) {
        List<String> allowed =
                Arrays.stream(enumType.getEnumConstants()).map(Object::toString).toList();
        if (!node.isTextual()) {
            blocking(path, "must be one of " + String.join(", ", allowed) + " (got " + describe(node) + ")");
            return;
        }
        String value = node.textValue();
        if (!allowed.contains(value)) {
            String hint = Suggestions.closest(value, allowed)
                    .map(s -> " (did you mean " + s + "?)")
                    .orElse("");
            blocking(path, "\"" + value + "\" is not one of " + String.join(", ", allowed) + hint);
        }
    }

    private static String required(Field f) {
        JsonPropertyDescription d = f.getAnnotation(JsonPropertyDescription.class);
        Class<?> raw = rawClass(f.getGenericType());
        String choices = raw.isEnum()
                ? ": one of "
                        + Arrays.stream(raw.getEnumConstants())
                                .map(Object::toString)
                                .collect(Collectors.joining(", "))
                : d == null ? "" : " (" + d.value().replaceAll("\\.$", "") + ")";
        return "is required" + choices;
    }

    private static String unknownField(String name, Set<String> known) {
        return "unknown field \"" + name + "\""
                + Suggestions.closest(name, known)
                        .map(s -> " (did you mean " + s + "?)")
                        .orElse("; known fields here: " + String.join(", ", known));
    }

    static String describe(JsonNode node) {
        if (node.isTextual()) {
            return "string \"" + node.textValue() + "\"";
        }
        if (node.isNumber()) {
            return "number " + node.asText();
        }
        if (node.isBoolean()) {
            return "boolean " + node.asText();
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isObject()) {
            return "an object";
        }
        return node.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    private static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        throw new IllegalStateException("unsupported model type " + type);
    }

    /** JSON property name → field, superclass fields first (declaration order), for model classes. */
    static Map<String, Field> fieldsOf(Class<?> type) {
        return FIELDS.computeIfAbsent(type, t -> {
            List<Class<?>> chain = new ArrayList<>();
            for (Class<?> c = t; c != null && c != Object.class; c = c.getSuperclass()) {
                chain.add(0, c);
            }
            Map<String, Field> fields = new LinkedHashMap<>();
            for (Class<?> c : chain) {
                for (Field f : c.getDeclaredFields()) {
                    if (!Modifier.isStatic(f.getModifiers()) && !f.isSynthetic()) {
                        fields.put(f.getName(), f);
                    }
                }
            }
            return Collections.unmodifiableMap(fields);
        });
    }
}
