package io.k8s4claw.adapters.support;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a configuration tree as TOML 1.0: scalars and inline arrays first, then {@code [tables]}, then
 * {@code [[arrays of tables]]}, recursively, in key order. {@code null} values are left out (TOML has no null; in
 * this project's merge modes a null means "remove the key"). Lists mixing objects and other values cannot be
 * expressed and are rejected with the key path.
 */
public final class TomlWriter {

    private TomlWriter() {}

    public static String write(Map<String, ?> tree) {
        StringBuilder out = new StringBuilder();
        writeTable(out, List.of(), tree, false);
        return out.toString().stripLeading();
    }

    private static void writeTable(StringBuilder out, List<String> path, Map<String, ?> table, boolean arrayElement) {
        List<Map.Entry<String, ?>> plain = new ArrayList<>();
        List<Map.Entry<String, ?>> tables = new ArrayList<>();
        List<Map.Entry<String, ?>> tableArrays = new ArrayList<>();
        for (Map.Entry<String, ?> e : table.entrySet()) {
            Object v = e.getValue();
            if (v == null) {
                continue;
            }
            if (v instanceof Map<?, ?>) {
                tables.add(e);
            } else if (v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(x -> x instanceof Map<?, ?>)) {
                tableArrays.add(e);
            } else {
                plain.add(e);
            }
        }
        if (!path.isEmpty() && (arrayElement || !plain.isEmpty() || (tables.isEmpty() && tableArrays.isEmpty()))) {
            out.append('\n')
                    .append(arrayElement ? "[[" : "[")
                    .append(dotted(path))
                    .append(arrayElement ? "]]" : "]")
                    .append('\n');
        }
        for (Map.Entry<String, ?> e : plain) {
            out.append(key(e.getKey()))
                    .append(" = ")
                    .append(value(e.getValue(), child(path, e.getKey())))
                    .append('\n');
        }
        for (Map.Entry<String, ?> e : tables) {
            writeTable(out, child(path, e.getKey()), cast(e.getValue()), false);
        }
        for (Map.Entry<String, ?> e : tableArrays) {
            for (Object element : (List<?>) e.getValue()) {
                writeTable(out, child(path, e.getKey()), cast(element), true);
            }
        }
    }

    private static String value(Object v, List<String> path) {
        if (v instanceof String s) {
            return string(s);
        }
        if (v instanceof Boolean
                || v instanceof Integer
                || v instanceof Long
                || v instanceof BigInteger
                || v instanceof Short
                || v instanceof Byte) {
            return v.toString();
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isNaN(d)) {
                return "nan";
            }
            if (Double.isInfinite(d)) {
                return d > 0 ? "inf" : "-inf";
            }
            String s = n.toString();
            return s.contains(".") || s.contains("e") || s.contains("E") ? s : s + ".0";
        }
        if (v instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            for (Object item : list) {
                if (item == null) {
                    throw new IllegalArgumentException(dotted(path) + ": TOML arrays cannot hold null");
                }
                if (item instanceof Map<?, ?> m) {
                    items.add(inlineTable(cast(m), path));
                } else {
                    items.add(value(item, path));
                }
            }
            return "[" + String.join(", ", items) + "]";
        }
        throw new IllegalArgumentException(
                dotted(path) + ": cannot write a " + v.getClass().getSimpleName() + " as TOML");
    }

    private static String inlineTable(Map<String, ?> m, List<String> path) {
        List<String> parts = new ArrayList<>();
        m.forEach((k, v) -> {
            if (v != null) {
                parts.add(key(k) + " = " + value(v, child(path, k)));
            }
        });
        return "{ " + String.join(", ", parts) + " }";
    }

    static String string(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String key(String k) {
        return k.matches("[A-Za-z0-9_-]+") ? k : string(k);
    }

    private static String dotted(List<String> path) {
        return String.join(".", path.stream().map(TomlWriter::key).toList());
    }

    private static List<String> child(List<String> path, String k) {
        List<String> p = new ArrayList<>(path);
        p.add(k);
        return p;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> cast(Object o) {
        return (Map<String, ?>) o;
    }
}
