package io.k8s4claw.bridge.ops;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.core.LayoutBase;
import io.k8s4claw.api.log.Logfmt;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * logback's side of {@link Logfmt}: the bridge's events (and, through jul-to-slf4j, its libraries') as logfmt lines.
 */
final class LogfmtLayout extends LayoutBase<ILoggingEvent> {

    @Override
    public String doLayout(ILoggingEvent event) {
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        List<Map.Entry<String, ?>> fields = pairs == null
                ? List.of()
                : pairs.stream()
                        .<Map.Entry<String, ?>>map(kv -> new AbstractMap.SimpleImmutableEntry<>(kv.key, kv.value))
                        .toList();
        return Logfmt.line(
                Instant.ofEpochMilli(event.getTimeStamp()),
                event.getLevel().toString(),
                event.getLoggerName(),
                event.getThreadName(),
                event.getFormattedMessage(),
                fields,
                throwable(event.getThrowableProxy()));
    }

    private static Throwable throwable(IThrowableProxy proxy) {
        return proxy instanceof ThrowableProxy real ? real.getThrowable() : null;
    }
}
