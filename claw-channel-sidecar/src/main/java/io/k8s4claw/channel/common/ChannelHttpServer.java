package io.k8s4claw.channel.common;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The sidecar's own HTTP port ({@code CHANNEL_HTTP_PORT}): {@code /healthz} (the process is alive),
 * {@code /readyz} (platform and bus connected; the body says which is not), {@code /metrics}
 * (Prometheus text), and inbound endpoints a channel adds (webhook, Telegram webhook).
 *
 * <p>A platform failed for good (bad token) keeps {@code /healthz} at 200 on purpose: restarting the
 * container cannot fix a credential, it would only turn the failure into a restart loop that hides
 * the message. {@code /readyz} reports it.
 */
public final class ChannelHttpServer implements AutoCloseable {
    private final HttpServer server;

    /** What /readyz reports. */
    public record Readiness(boolean ready, String detail) {}

    /**
     * What one client may hold of the port, which faces the platforms: a request (headers and body) must
     * arrive within {@code requestTimeoutSeconds} or its connection is closed, and at most
     * {@code maxConnections} connections are open at once (more are closed on accept). Without them a
     * caller announcing a body and never sending it holds a connection, and its memory, forever.
     */
    public record Limits(int requestTimeoutSeconds, int maxConnections) {
        public static final Limits DEFAULT = new Limits(10, 256);

        public Limits {
            if (requestTimeoutSeconds < 1) throw new IllegalArgumentException("requestTimeoutSeconds must be >= 1");
            if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be >= 1");
        }
    }

    public ChannelHttpServer(
            String bindAddress, int port, Limits limits, ChannelMetrics metrics, Supplier<Readiness> readiness)
            throws IOException {
        // The JDK's server takes these as system properties, read once per JVM when its first server is created;
        // a sidecar is one JVM with one server, so setting them here, before create, is what applies them.
        System.setProperty("sun.net.httpserver.maxReqTime", String.valueOf(limits.requestTimeoutSeconds()));
        System.setProperty("jdk.httpserver.maxConnections", String.valueOf(limits.maxConnections()));
        server = HttpServer.create(new InetSocketAddress(bindAddress, port), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/healthz", ex -> respond(ex, 200, "text/plain", "ok\n"));
        server.createContext("/readyz", ex -> {
            Readiness r = readiness.get();
            respond(ex, r.ready() ? 200 : 503, "text/plain", r.detail() + "\n");
        });
        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        server.createContext("/metrics", ex -> {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            writer.write(buf, metrics.registry().scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
            respond(ex, 200, PrometheusTextFormatWriter.CONTENT_TYPE, buf.toByteArray());
        });
    }

    /** Adds an inbound endpoint (before {@link #start()}). */
    public void route(String path, HttpHandler handler) {
        server.createContext(path, handler);
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public static void respond(HttpExchange ex, int status, String contentType, String body) throws IOException {
        respond(ex, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    public static void respond(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
