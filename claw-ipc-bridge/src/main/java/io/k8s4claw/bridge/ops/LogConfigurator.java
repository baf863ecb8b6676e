package io.k8s4claw.bridge.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The bridge's logging, configured in code (found by logback through ServiceLoader) instead of a logback.xml:
 * the XML route loads an XML parser and logback's configuration model, about 600 classes and 2 MiB of the
 * bridge's 64 MiB idle budget. A {@code logback-test.xml} or {@code -Dlogback.configurationFile} still wins.
 *
 * <p>logfmt-style lines: message plus the slf4j fluent API's key=value pairs. Secrets are never logged.
 * {@code CLAW_LOG_LEVEL} sets the level (default INFO); Netty and OkHttp log warnings only.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {

    static final String PATTERN = "ts=%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX,UTC} level=%level logger=%logger{0} thread=%thread"
            + " msg=\"%replace(%msg){'\"','\\\\\"'}\" %kvp{DOUBLE}%n%ex";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LogConfigurator.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        configure(context, System.getenv().getOrDefault("CLAW_LOG_LEVEL", "INFO"), new ConsoleAppender<>());
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    static void configure(LoggerContext context, String level, OutputStreamAppender<ILoggingEvent> console) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        console.setContext(context);
        console.setName("STDOUT");
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level, Level.INFO));
        root.addAppender(console);
        context.getLogger("io.netty").setLevel(Level.WARN);
        context.getLogger("okhttp3").setLevel(Level.WARN);
    }
}
