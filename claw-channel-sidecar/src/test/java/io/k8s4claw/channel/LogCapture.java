package io.k8s4claw.channel;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Captures everything logged through System.Logger (backed by java.util.logging here), formatted. */
public final class LogCapture extends Handler implements AutoCloseable {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");
    private final Level previous;
    private final SimpleFormatter formatter = new SimpleFormatter();

    public LogCapture() {
        previous = root.getLevel();
        root.setLevel(Level.ALL);
        setLevel(Level.ALL);
        root.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        // The platform fakes' own server logs (MockWebServer prints request lines) are not the sidecar's.
        String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
        String msg = record.getMessage() == null ? "" : record.getMessage();
        if (logger.startsWith("okhttp3.mockwebserver") || msg.contains("MockWebServer")) return;
        lines.add(formatter.format(record));
    }

    public String all() {
        return String.join("", lines);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        root.removeHandler(this);
        root.setLevel(previous);
    }
}
