package io.k8s4claw.api.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The one log line format of the project's processes (the bridge through its slf4j provider, the channel
 * sidecar through java.util.logging): one record, one line, logfmt —
 * {@code ts=2026-11-21T10:00:00.000Z level=WARN logger=OkHttpClient thread=main msg="…" key="value"
 * error="java.io.IOException: boom" stack="java.io.IOException: boom\n\tat …"}.
 *
 * <p>Every value is quoted and escaped ({@code \"}, {@code \\}, {@code \n}, {@code \r}, {@code \t},
 * {@code \\uXXXX} for other control characters), so a multi-line message or a stack trace never breaks a line
 * and a logfmt parser reads every field back. Values of secrets the process holds (see
 * {@link #redactSecretsOf(Map)}) are replaced by {@code [redacted]} in every field, whichever library logged them.
 */
public final class Logfmt {
    private Logfmt() {}

    static final String REDACTED = "[redacted]";
    /** Environment variables holding credentials: their values never appear in a line. */
    static final Pattern SECRET_NAME = Pattern.compile("(?i).*(TOKEN|SECRET|PASSWORD|_KEY)$");
    /** Shorter values are not redacted: they would blank ordinary words and cannot be a real credential. */
    static final int MIN_SECRET_LENGTH = 8;

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private static volatile List<String> secrets = List.of();

    /**
     * Redacts, from now on, the value of every variable of {@code environment} whose name ends in TOKEN, SECRET,
     * PASSWORD or _KEY (CLAW_RUNTIME_TOKEN, WEBHOOK_SECRET, SLACK_BOT_TOKEN, API_SERVER_KEY …). Called by each
     * process's entry point with its environment; replaces what an earlier call registered.
     */
    public static void redactSecretsOf(Map<String, String> environment) {
        // longest first, so a secret that contains another is replaced whole
        Set<String> values =
                new TreeSet<>((a, b) -> a.length() != b.length() ? b.length() - a.length() : a.compareTo(b));
        environment.forEach((name, value) -> {
            if (value != null
                    && value.length() >= MIN_SECRET_LENGTH
                    && SECRET_NAME.matcher(name).matches()) {
                values.add(value);
            }
        });
        secrets = List.copyOf(values);
    }

    /** Short logger name: the part after the last dot (okhttp3.OkHttpClient → OkHttpClient). */
    public static String shortName(String logger) {
        if (logger == null || logger.isEmpty()) {
            return "root";
        }
        return logger.substring(logger.lastIndexOf('.') + 1);
    }

    /**
     * One line, ending in a newline.
     *
     * @param level one of TRACE, DEBUG, INFO, WARN, ERROR
     * @param keyValues extra fields in order; a null value is written as an empty string
     * @param error printed as {@code error} (its toString) and {@code stack} (the full trace), or null
     */
    public static String line(
            Instant ts,
            String level,
            String logger,
            String thread,
            String msg,
            List<? extends Map.Entry<String, ?>> keyValues,
            Throwable error) {
        StringBuilder out = new StringBuilder(160);
        out.append("ts=")
                .append(TS.format(ts.truncatedTo(ChronoUnit.MILLIS)))
                .append(" level=")
                .append(level)
                .append(" logger=");
        bare(out, shortName(logger));
        out.append(" thread=");
        quoted(out, thread == null ? "" : thread);
        out.append(" msg=");
        quoted(out, msg == null ? "" : msg);
        for (Map.Entry<String, ?> kv : keyValues) {
            out.append(' ');
            bare(out, kv.getKey());
            out.append('=');
            quoted(out, kv.getValue() == null ? "" : String.valueOf(kv.getValue()));
        }
        if (error != null) {
            out.append(" error=");
            quoted(out, String.valueOf(error));
            StringWriter trace = new StringWriter();
            error.printStackTrace(new PrintWriter(trace));
            out.append(" stack=");
            quoted(out, trace.toString().stripTrailing());
        }
        return out.append('\n').toString();
    }

    /** A key or logger name: kept unquoted, so anything that would end the token is replaced by '_'. */
    private static void bare(StringBuilder out, String token) {
        if (token == null || token.isEmpty()) {
            out.append('_');
            return;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            out.append(c <= ' ' || c == '=' || c == '"' || c == 0x7f ? '_' : c);
        }
    }

    private static void quoted(StringBuilder out, String raw) {
        String value = redact(raw);
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < ' ' || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static String redact(String value) {
        for (String secret : secrets) {
            if (value.contains(secret)) {
                value = value.replace(secret, REDACTED);
            }
        }
        return value;
    }
}
