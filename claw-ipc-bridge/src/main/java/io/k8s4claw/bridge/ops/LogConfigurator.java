package io.k8s4claw.bridge.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import io.k8s4claw.api.log.Logfmt;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The bridge's logging, configured in code (found by logback through ServiceLoader) instead of a logback.xml:
 * the XML route loads an XML parser and logback's configuration model, about 600 classes and 2 MiB of the
 * bridge's 64 MiB idle budget. A {@code logback-test.xml} or {@code -Dlogback.configurationFile} still wins.
 *
 * <p>One {@link Logfmt} line per record: message plus the slf4j fluent API's key=value pairs, an exception as
 * {@code error} and {@code stack} fields. Libraries that log through java.util.logging (OkHttp's warnings, such
 * as its leaked-connection one) reach the same lines through jul-to-slf4j, at the levels set here (logback's
 * LevelChangePropagator keeps JUL's levels in step, so a record below them is never built). The values of
 * the process's secret environment variables are redacted from every field. {@code CLAW_LOG_LEVEL} sets the
 * level (default INFO); Netty and OkHttp log warnings only.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {

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
        Logfmt.redactSecretsOf(System.getenv());
        LevelChangePropagator julLevels = new LevelChangePropagator();
        julLevels.setContext(context);
        julLevels.setResetJUL(true);
        julLevels.start();
        context.addListener(julLevels);

        LogfmtLayout layout = new LogfmtLayout();
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
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

        // java.util.logging → slf4j: JUL's own console handler (two lines per record) removed.
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
    }
}
