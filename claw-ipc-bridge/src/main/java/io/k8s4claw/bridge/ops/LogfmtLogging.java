package io.k8s4claw.bridge.ops;

import io.k8s4claw.api.log.Logfmt;
import io.k8s4claw.api.log.LogfmtFormatter;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;

/**
 * The bridge's logging: one {@link Logfmt} line per record on standard output, for the bridge's slf4j calls
 * (message plus the fluent API's key=value pairs, an exception as {@code error} and {@code stack}) and for any
 * library that logs through java.util.logging. {@code CLAW_LOG_LEVEL} sets the level (TRACE, DEBUG, INFO, WARN,
 * ERROR, OFF; default INFO); Netty and OkHttp log warnings only. The values of the process's secret environment
 * variables are redacted from every field.
 *
 * <p>Why not logback: this is all the bridge asked of it, and logback cost 0.3 MiB of the bridge's resident memory
 * on top of what Netty already loads (claw-ipc-bridge/README.md; issue #21 budgets the bridge and its channels at
 * 128 MiB). slf4j stays the API, so
 * Netty (which logs through slf4j when it finds it) and the bridge's code are unchanged. With
 * {@code java.util.logging.config.file} set, java.util.logging is left to that configuration.
 */
public final class LogfmtLogging implements ILoggerFactory {

    static final List<String> WARNINGS_ONLY = List.of("io.netty", "okhttp3");

    private final Level rootLevel;
    private final PrintStream out;
    private final Map<String, LogfmtLogger> loggers = new ConcurrentHashMap<>();

    LogfmtLogging(String level, PrintStream out) {
        this.rootLevel = LogfmtFormatter.levelOf(level);
        this.out = out;
    }

    /** The process's logging, from its environment: redacts its secrets and takes over java.util.logging. */
    static LogfmtLogging fromEnvironment(Map<String, String> environment) {
        Logfmt.redactSecretsOf(environment);
        LogfmtLogging logging = new LogfmtLogging(environment.getOrDefault("CLAW_LOG_LEVEL", "INFO"), System.out);
        if (System.getProperty("java.util.logging.config.file") == null) {
            JulLines.install(logging);
        }
        return logging;
    }

    @Override
    public Logger getLogger(String name) {
        return loggers.computeIfAbsent(
                name, n -> new LogfmtLogger(n, threshold(n).intValue(), this));
    }

    /** The level below which {@code logger}'s records are dropped before they are built. */
    Level threshold(String logger) {
        for (String prefix : WARNINGS_ONLY) {
            if (logger.equals(prefix) || logger.startsWith(prefix + ".")) {
                return rootLevel.intValue() >= Level.WARNING.intValue() ? rootLevel : Level.WARNING;
            }
        }
        return rootLevel;
    }

    void print(String line) {
        out.print(line);
    }

    void write(
            String level,
            String logger,
            String message,
            List<? extends Map.Entry<String, ?>> keyValues,
            Throwable error) {
        print(Logfmt.line(Instant.now(), level, logger, Thread.currentThread().getName(), message, keyValues, error));
    }
}
