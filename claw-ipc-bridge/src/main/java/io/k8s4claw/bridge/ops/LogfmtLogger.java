package io.k8s4claw.bridge.ops;

import io.k8s4claw.api.log.LogfmtFormatter;
import java.util.AbstractMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.FormattingTuple;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/**
 * One slf4j logger of {@link LogfmtLogging}. Its threshold is fixed when it is made (the level does not change
 * while the bridge runs). It is {@link LoggingEventAware} so the fluent API's key=value pairs reach the line as
 * fields instead of being folded into the message.
 */
final class LogfmtLogger extends LegacyAbstractLogger implements LoggingEventAware {

    private static final long serialVersionUID = 1L;

    /** The levels at or above the threshold, decided once: the isXEnabled calls sit on hot paths. */
    private final Set<Level> enabled = EnumSet.noneOf(Level.class);

    private final transient LogfmtLogging logging;

    /** {@code threshold}: a JUL level's number, as CLAW_LOG_LEVEL is read ({@link LogfmtFormatter#levelOf}). */
    LogfmtLogger(String name, int threshold, LogfmtLogging logging) {
        this.name = name;
        for (Level level : Level.values()) {
            // slf4j's level names are CLAW_LOG_LEVEL's values: the same reading gives each level's JUL number
            if (LogfmtFormatter.levelOf(level.name()).intValue() >= threshold) {
                enabled.add(level);
            }
        }
        this.logging = logging;
    }

    private boolean enabled(Level level) {
        return enabled.contains(level);
    }

    @Override
    public boolean isTraceEnabled() {
        return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
            Level level, Marker marker, String pattern, Object[] arguments, Throwable error) {
        logging.write(level.toString(), name, MessageFormatter.basicArrayFormat(pattern, arguments), List.of(), error);
    }

    @Override
    public void log(LoggingEvent event) {
        if (!enabled(event.getLevel())) {
            return;
        }
        // the fluent API passes arguments as given: a trailing Throwable without a placeholder is the error
        FormattingTuple formatted = MessageFormatter.arrayFormat(event.getMessage(), event.getArgumentArray());
        Throwable error = event.getThrowable() != null ? event.getThrowable() : formatted.getThrowable();
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        List<Map.Entry<String, ?>> fields = pairs == null
                ? List.of()
                : pairs.stream()
                        .<Map.Entry<String, ?>>map(kv -> new AbstractMap.SimpleImmutableEntry<>(kv.key, kv.value))
                        .toList();
        logging.write(event.getLevel().toString(), name, formatted.getMessage(), fields, error);
    }
}
