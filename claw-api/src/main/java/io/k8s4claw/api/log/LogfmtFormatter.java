package io.k8s4claw.api.log;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * {@link Logfmt} lines for java.util.logging — what {@code System.Logger} and libraries such as OkHttp log
 * through in a process without slf4j (the channel sidecar). {@link #install} puts it on the root logger.
 */
public final class LogfmtFormatter extends Formatter {

    @Override
    public String format(LogRecord record) {
        return Logfmt.line(
                record.getInstant(),
                level(record.getLevel()),
                record.getLoggerName(),
                thread(record),
                formatMessage(record),
                List.<Map.Entry<String, ?>>of(),
                record.getThrown());
    }

    /** JUL's levels by slf4j's names, as the bridge's lines use them. */
    public static String level(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (v >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (v >= Level.INFO.intValue()) {
            return "INFO";
        }
        if (v >= Level.FINE.intValue()) {
            return "DEBUG";
        }
        return "TRACE";
    }

    /**
     * {@code CLAW_LOG_LEVEL} (TRACE, DEBUG, INFO, WARN, ERROR or OFF, any case; ALL and WARNING too) as JUL's level;
     * anything else is INFO. The one reading of that variable, for the bridge and the channel sidecar alike.
     */
    public static Level levelOf(String clawLogLevel) {
        return switch (clawLogLevel.trim().toUpperCase(Locale.ROOT)) {
            case "TRACE", "ALL" -> Level.ALL;
            case "DEBUG" -> Level.FINE;
            case "WARN", "WARNING" -> Level.WARNING;
            case "ERROR" -> Level.SEVERE;
            case "OFF" -> Level.OFF;
            default -> Level.INFO;
        };
    }

    @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+, this module targets 17
    private static String thread(LogRecord record) {
        // A console handler formats on the logging thread; a record handed elsewhere only knows the id.
        Thread current = Thread.currentThread();
        return current.getId() == record.getLongThreadID() ? current.getName() : "#" + record.getLongThreadID();
    }

    /**
     * Replaces the root logger's handlers by one console handler (stderr) writing logfmt lines at
     * {@code level} and above, and redacts the secrets of {@code environment} ({@link Logfmt#redactSecretsOf}).
     * Not done when {@code java.util.logging.config.file} is set: an operator's own configuration wins.
     */
    public static void install(Level level, Map<String, String> environment) {
        Logfmt.redactSecretsOf(environment);
        if (System.getProperty("java.util.logging.config.file") != null) {
            return;
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setFormatter(new LogfmtFormatter());
        console.setLevel(Level.ALL);
        install(console, level);
    }

    /** Makes {@code handler} the root logger's only handler, the root logger at {@code level}. */
    public static void install(Handler handler, Level level) {
        Logger root = LogManager.getLogManager().getLogger("");
        for (Handler old : root.getHandlers()) {
            root.removeHandler(old);
        }
        root.addHandler(handler);
        // the level on the logger, not the handler: a record below it is never built
        root.setLevel(level);
    }
}
