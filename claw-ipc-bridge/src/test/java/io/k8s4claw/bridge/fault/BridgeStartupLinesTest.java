package io.k8s4claw.bridge.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the bridge process prints at start, as a user running it from the README sees it. */
class BridgeStartupLinesTest {

    @TempDir
    Path dir;

    @Test
    void readyIsPrintedOnlyOnceReadyzSays200AndAShortTokenIsWarnedAboutWithoutPrintingIt() throws Exception {
        int runtimePort;
        try (ServerSocket s = new ServerSocket(0)) {
            runtimePort = s.getLocalPort();
        }
        HttpClient http = HttpClient.newHttpClient();
        try (BridgeProcess bridge = BridgeProcess.start(
                dir,
                Map.of(
                        "CLAW_RUNTIME_PROTOCOL",
                        "hermes-sse",
                        "CLAW_RUNTIME_URL",
                        "http://127.0.0.1:" + runtimePort,
                        "CLAW_RUNTIME_TOKEN",
                        "short-key",
                        "CLAW_BUS_SOCKET",
                        dir.resolve("bus.sock").toString(),
                        "CLAW_BRIDGE_DATA_DIR",
                        dir.resolve("wal").toString()))) {
            URI readyz = URI.create("http://127.0.0.1:" + bridge.httpPort() + "/readyz");
            assertThat(http.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .as("no runtime yet")
                    .isEqualTo(503);
            assertThat(bridge.log()).contains("BRIDGE-LISTENING").doesNotContain("BRIDGE-READY");
            assertThat(bridge.log())
                    .contains("CLAW_RUNTIME_TOKEN is 9 characters")
                    .doesNotContain("short-key");

            HttpServer hermes = HttpServer.create(new InetSocketAddress("127.0.0.1", runtimePort), 8);
            hermes.createContext("/health", ex -> {
                // /health and /health/detailed alike: Hermes's minimal "ok" answer.
                byte[] body = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                ex.close();
            });
            hermes.start();
            try {
                await().atMost(Duration.ofSeconds(60))
                        .until(() ->
                                bridge.log().contains("BRIDGE-READY bus-tcp-port=0 http-port=" + bridge.httpPort()));
                assertThat(http.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.ofString())
                                .statusCode())
                        .isEqualTo(200);
            } finally {
                hermes.stop(0);
            }
        }
    }
}
