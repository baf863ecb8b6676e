package io.k8s4claw.bridge.ops;

import io.k8s4claw.api.log.LogfmtFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * java.util.logging's records as {@link LogfmtLogging}'s lines, on the same stream: what a library that logs
 * through java.util.logging (OkHttp, the JDK's System.Logger) prints in the bridge. Replaces JUL's own console
 * handler, which prints two lines per record.
 */
final class JulLines extends Handler {

    /** java.util.logging holds its loggers weakly: a level set on one lasts only while it is referenced. */
    private static final List<Logger> CONFIGURED = new ArrayList<>();

    private final LogfmtLogging logging;
    private final LogfmtFormatter formatter = new LogfmtFormatter();

    private JulLines(LogfmtLogging logging) {
        this.logging = logging;
    }

    /** Puts these lines on JUL's root logger, with JUL's levels set to the same thresholds. */
    static void install(LogfmtLogging logging) {
        LogfmtFormatter.install(new JulLines(logging), logging.threshold(""));
        synchronized (CONFIGURED) {
            for (String prefix : LogfmtLogging.WARNINGS_ONLY) {
                Logger logger = Logger.getLogger(prefix);
                logger.setLevel(logging.threshold(prefix));
                CONFIGURED.add(logger);
            }
        }
    }

    @Override
    public void publish(LogRecord record) {
        if (isLoggable(record)) {
            logging.print(formatter.format(record));
        }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
}
