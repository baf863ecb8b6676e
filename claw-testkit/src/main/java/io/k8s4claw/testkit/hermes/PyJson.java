package io.k8s4claw.testkit.hermes;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Serialises like Python's {@code json.dumps(obj)} with its defaults, which is what Hermes (aiohttp) puts on the
 * wire: separators {@code ", "} and {@code ": "}, {@code ensure_ascii=True} (every non-ASCII UTF-16 unit becomes a
 * lower-case {@code \\uXXXX}), insertion order of maps kept. Supports Map, List, String, Number, Boolean, null.
 */
public final class PyJson {
    private PyJson() {}

    public static String dumps(Object value) {
        return dumps(value, true);
    }

    /** {@code asciiOnly=false} is {@code json.dumps(obj, ensure_ascii=False)} (raw UTF-8, the session chat stream). */
    public static String dumps(Object value, boolean asciiOnly) {
        var sb = new StringBuilder(128);
        write(sb, value, asciiOnly);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, boolean ascii) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            writeString(sb, s, ascii);
        } else if (v instanceof Boolean b) {
            sb.append(b ? "true" : "false");
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            String plain = BigDecimal.valueOf(d).toPlainString();
            // Python prints floats with at least one decimal ("1.0").
            sb.append(plain.contains(".") ? plain : plain + ".0");
        } else if (v instanceof Number n) {
            sb.append(n.toString());
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (var e : m.entrySet()) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                writeString(sb, String.valueOf(e.getKey()), ascii);
                sb.append(": ");
                write(sb, e.getValue(), ascii);
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                write(sb, l.get(i), ascii);
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException(
                    "PyJson cannot serialise " + v.getClass().getName());
        }
    }

    private static void writeString(StringBuilder sb, String s, boolean ascii) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || ascii && c > 0x7f) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
