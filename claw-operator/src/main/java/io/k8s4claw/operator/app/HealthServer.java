package io.k8s4claw.operator.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * {@code /healthz} (the process is alive), {@code /readyz} (the operator has started and its informers
 * are synced — or it is a standby waiting for the leader lease, which is also "ready" to Kubernetes so a
 * rollout can proceed) and {@code /metrics} (Prometheus text format; {@code ?name[]=<metric>} for only some) on one
 * small JDK HTTP server.
 */
public final class HealthServer implements AutoCloseable {

    private final HttpServer server;

    public HealthServer(
            InetSocketAddress address, BooleanSupplier alive, BooleanSupplier ready, OperatorMetrics metrics)
            throws IOException {
        server = HttpServer.create(address, 16);
        server.createContext("/healthz", ex -> respond(ex, alive.getAsBoolean()));
        server.createContext("/readyz", ex -> respond(ex, ready.getAsBoolean()));
        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        server.createContext("/metrics", ex -> {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            Set<String> names = requestedNames(ex.getRequestURI().getRawQuery());
            writer.write(
                    body,
                    names.isEmpty()
                            ? metrics.registry().scrape()
                            : metrics.registry().scrape(name -> names.contains(name)),
                    EscapingScheme.UNDERSCORE_ESCAPING);
            send(ex, 200, writer.getContentType(), body.toByteArray());
        });
        server.start();
    }

    /**
     * The metric names of {@code name[]=} parameters (Prometheus' convention for scraping a few metrics), each also
     * without its {@code _total} suffix (the registry names a counter without it); empty: every metric. A watcher that
     * polls one gauge then does not make the operator render a series per Claw each time.
     */
    static Set<String> requestedNames(String rawQuery) {
        Set<String> names = new HashSet<>();
        if (rawQuery == null) {
            return names;
        }
        for (String param : rawQuery.split("&")) {
            int eq = param.indexOf('=');
            if (eq > 0
                    && URLDecoder.decode(param.substring(0, eq), StandardCharsets.UTF_8)
                            .equals("name[]")) {
                String name = URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8);
                names.add(name);
                if (name.endsWith("_total")) {
                    names.add(name.substring(0, name.length() - "_total".length()));
                }
            }
        }
        return names;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange ex, boolean ok) throws IOException {
        send(
                ex,
                ok ? 200 : 503,
                "text/plain; charset=utf-8",
                (ok ? "ok\n" : "not ready\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
