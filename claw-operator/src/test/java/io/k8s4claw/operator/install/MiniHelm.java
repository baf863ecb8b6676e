package io.k8s4claw.operator.install;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders the small subset of Helm's Go templates the chart uses — {@code {{ .Values.a.b }}},
 * {@code {{ .Release.Namespace }}}, {@code {{ .Chart.AppVersion }}}, {@code | quote}, and
 * {@code if / else / end} with Go's truthiness and {@code {{-}} / {@code -}}} whitespace trimming — so
 * the chart can be compared with {@code deploy/} without a helm binary. Anything else in a template is an
 * error, which keeps the chart inside what this renderer proves.
 */
final class MiniHelm {

    private static final Pattern ACTION = Pattern.compile("\\{\\{(-?)\\s*(.*?)\\s*(-?)}}", Pattern.DOTALL);

    private final Map<String, Object> scope;

    MiniHelm(Map<String, Object> values, String releaseNamespace, String appVersion) {
        this.scope = Map.of("Values", values, "Release", Map.of("Namespace", releaseNamespace),
                "Chart", Map.of("AppVersion", appVersion));
    }

    String render(String template) {
        StringBuilder out = new StringBuilder();
        // Each frame: is this branch emitting, and has any branch of the if been taken.
        Deque<boolean[]> frames = new ArrayDeque<>();
        Matcher m = ACTION.matcher(template);
        int pos = 0;
        boolean trimNext = false;
        while (m.find()) {
            String text = template.substring(pos, m.start());
            if (trimNext) {
                text = text.stripLeading();
            }
            if (!m.group(1).isEmpty()) {
                text = text.stripTrailing();
            }
            if (emitting(frames)) {
                out.append(text);
            }
            String action = m.group(2);
            if (action.startsWith("/*")) {
                // comment
            } else if (action.startsWith("if ")) {
                boolean parentEmitting = emitting(frames);
                boolean cond = truthy(eval(action.substring(3).trim()));
                frames.push(new boolean[] {parentEmitting && cond, cond, parentEmitting});
            } else if (action.equals("else")) {
                boolean[] f = require(frames, action);
                f[0] = f[2] && !f[1];
                f[1] = true;
            } else if (action.equals("end")) {
                require(frames, action);
                frames.pop();
            } else if (emitting(frames)) {
                out.append(pipeline(action));
            }
            trimNext = !m.group(3).isEmpty();
            pos = m.end();
        }
        if (!frames.isEmpty()) {
            throw new IllegalArgumentException("template ends inside an if");
        }
        String rest = template.substring(pos);
        out.append(trimNext ? rest.stripLeading() : rest);
        return out.toString();
    }

    private static boolean[] require(Deque<boolean[]> frames, String action) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("'" + action + "' without 'if'");
        }
        return frames.peek();
    }

    private static boolean emitting(Deque<boolean[]> frames) {
        return frames.isEmpty() || frames.peek()[0];
    }

    private String pipeline(String action) {
        String[] parts = action.split("\\|");
        Object value = eval(parts[0].trim());
        for (int i = 1; i < parts.length; i++) {
            String fn = parts[i].trim();
            if (!fn.equals("quote")) {
                throw new IllegalArgumentException("template function '" + fn + "' is not supported by MiniHelm");
            }
            value = "\"" + String.valueOf(value == null ? "" : value).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        return value == null ? "" : String.valueOf(value);
    }

    private Object eval(String path) {
        if (!path.startsWith(".")) {
            throw new IllegalArgumentException("template expression '" + path + "' is not supported by MiniHelm");
        }
        Object current = scope;
        for (String segment : path.substring(1).split("\\.")) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(segment);
        }
        return current;
    }

    private static boolean truthy(Object v) {
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return n.doubleValue() != 0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        if (v instanceof java.util.Collection<?> c) {
            return !c.isEmpty();
        }
        return true;
    }
}
