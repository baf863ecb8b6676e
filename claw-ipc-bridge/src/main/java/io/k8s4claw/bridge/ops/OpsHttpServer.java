package io.k8s4claw.bridge.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.k8s4claw.bridge.bus.BusServer;
import io.k8s4claw.bridge.delivery.DeliveryEngine;
import io.k8s4claw.bridge.delivery.InboundLedger;
import io.k8s4claw.bridge.runtime.RuntimeConnector;
import io.k8s4claw.bridge.runtime.RuntimeHealth;
import io.k8s4claw.bridge.wal.Journal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /healthz} (the process works: the journal accepts writes), {@code /readyz} (bus listening and the
 * runtime reachable), {@code /metrics} (Prometheus text), and the dead-letter admin API
 * ({@code GET /v1/dead-letters}, {@code POST /v1/dead-letters/{id}/replay}) — the admin API answers only
 * requests from loopback (kubectl exec / port-forward), never from the pod network.
 */
public final class OpsHttpServer implements AutoCloseable {

    private static final Pattern REPLAY = Pattern.compile("/v1/dead-letters/([A-Za-z0-9_-]{1,100})/replay");
    /** Created on first use: most bridges never list dead letters, and Jackson costs metaspace. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private final HttpServer server;
    private final BridgeMetrics metrics;
    private final BusServer bus;
    private final RuntimeConnector connector;
    private final InboundLedger ledger;
    private final DeliveryEngine engine;
    private final Journal journal;

    public OpsHttpServer(
            int port,
            BridgeMetrics metrics,
            BusServer bus,
            RuntimeConnector connector,
            InboundLedger ledger,
            DeliveryEngine engine,
            Journal journal)
            throws IOException {
        this.server = HttpServer.create(new InetSocketAddress(port), 16);
        this.metrics = metrics;
        this.bus = bus;
        this.connector = connector;
        this.ledger = ledger;
        this.engine = engine;
        this.journal = journal;
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ops-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/healthz", this::healthz);
        server.createContext("/readyz", this::readyz);
        server.createContext("/metrics", this::metrics);
        server.createContext("/v1/dead-letters", this::deadLetters);
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void healthz(HttpExchange ex) throws IOException {
        var failure = journal.lastFailure();
        if (failure != null && !failure.diskFull()) {
            respond(ex, 503, "text/plain", "journal failing: " + failure.getMessage() + "\n");
        } else {
            respond(
                    ex,
                    200,
                    "text/plain",
                    failure == null ? "ok\n" : "ok (write-ahead log volume full; new messages are refused)\n");
        }
    }

    private void readyz(HttpExchange ex) throws IOException {
        RuntimeHealth h = connector.health();
        boolean ready = bus.listening() && h.isUp();
        String body = "bus: " + (bus.listening() ? "listening" : "not listening") + "\nruntime: " + h.state() + " ("
                + h.detail() + ")\n";
        respond(ex, ready ? 200 : 503, "text/plain", body);
    }

    private void metrics(HttpExchange ex) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(out);
        respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", out.toString(StandardCharsets.UTF_8));
    }

    private void deadLetters(HttpExchange ex) throws IOException {
        if (!ex.getRemoteAddress().getAddress().isLoopbackAddress()) {
            respond(
                    ex,
                    403,
                    "application/json",
                    "{\"error\":\"the dead-letter API answers loopback only: "
                            + "use kubectl exec or kubectl port-forward\"}");
            return;
        }
        String path = ex.getRequestURI().getPath();
        if (path.equals("/v1/dead-letters") && ex.getRequestMethod().equals("GET")) {
            respond(
                    ex,
                    200,
                    "application/json",
                    Json.MAPPER.writeValueAsString(Map.of("deadLetters", ledger.deadLetters())));
            return;
        }
        Matcher m = REPLAY.matcher(path);
        if (m.matches() && ex.getRequestMethod().equals("POST")) {
            boolean ok = engine.replayDeadLetter(m.group(1));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", m.group(1));
            body.put("replayed", ok);
            if (!ok) {
                body.put("error", "no dead letter with this id (GET /v1/dead-letters lists them)");
            }
            respond(ex, ok ? 200 : 404, "application/json", Json.MAPPER.writeValueAsString(body));
            return;
        }
        respond(
                ex,
                404,
                "application/json",
                "{\"error\":\"use GET /v1/dead-letters or POST /v1/dead-letters/{id}/replay\"}");
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
