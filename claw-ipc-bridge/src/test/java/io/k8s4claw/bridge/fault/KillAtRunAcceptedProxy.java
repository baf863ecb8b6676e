package io.k8s4claw.bridge.fault;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP proxy in front of a Hermes API server that kills the bridge at one exact point: when Hermes has
 * answered {@code POST /v1/runs} with 202 — the run exists — and before the bridge has read that answer, so the
 * bridge cannot have recorded the run id. Every other request (health probes) is passed through; the answer to
 * that one POST is never delivered.
 */
final class KillAtRunAcceptedProxy implements AutoCloseable {

    private static final Set<String> HOP_BY_HOP =
            Set.of("connection", "content-length", "host", "transfer-encoding", "upgrade", "keep-alive", "expect");

    private final HttpServer server;
    private final URI target;
    private final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final CountDownLatch killed = new CountDownLatch(1);
    private volatile BridgeProcess victim;
    private volatile String acceptedRunBody;

    KillAtRunAcceptedProxy(URI target) throws IOException {
        this.target = target;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::forward);
        server.start();
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The bridge to kill at the first accepted run. */
    void killAtFirstAcceptedRun(BridgeProcess bridge) {
        this.victim = bridge;
    }

    CountDownLatch killed() {
        return killed;
    }

    /** Hermes's 202 body that the killed bridge never saw. */
    String acceptedRunBody() {
        return acceptedRunBody;
    }

    private void forward(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            HttpRequest.Builder out = HttpRequest.newBuilder(
                            target.resolve(ex.getRequestURI().toString()))
                    .method(
                            ex.getRequestMethod(),
                            body.length == 0
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(body));
            ex.getRequestHeaders().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase())) {
                    values.forEach(v -> out.header(name, v));
                }
            });
            HttpResponse<byte[]> in;
            try {
                in = client.send(out.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            BridgeProcess bridge = victim;
            if (bridge != null
                    && ex.getRequestMethod().equals("POST")
                    && ex.getRequestURI().getPath().equals("/v1/runs")
                    && in.statusCode() == 202
                    && killed.getCount() > 0) {
                acceptedRunBody = new String(in.body(), StandardCharsets.UTF_8);
                try {
                    bridge.kill9();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                killed.countDown();
                return; // the answer is never delivered
            }
            in.headers().map().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase()) && !name.startsWith(":")) {
                    values.forEach(v -> ex.getResponseHeaders().add(name, v));
                }
            });
            ex.sendResponseHeaders(in.statusCode(), in.body().length == 0 ? -1 : in.body().length);
            ex.getResponseBody().write(in.body());
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
