package io.k8s4claw.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP port's limits on slow requests and connections, in a child JVM running {@link ChannelMain}: the JDK
 * server reads them once per JVM, so this JVM (whose servers other tests started) cannot show them.
 */
class ChannelHttpLimitsTest {
    /** How long a test waits for the server to act before it fails; not a bound on how fast it must be. */
    static final int GIVE_UP_MILLIS = 30_000;

    @TempDir
    Path dir;

    Process sidecar;
    int port;
    final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Socket s : sockets) s.close();
        if (sidecar != null) {
            sidecar.destroy();
            sidecar.waitFor();
        }
    }

    void start(Map<String, String> limits) throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ChannelMain.class.getName());
        pb.environment()
                .putAll(Map.of(
                        "CHANNEL_NAME",
                        "hook",
                        "CHANNEL_TYPE",
                        "webhook",
                        "WEBHOOK_SECRET",
                        "limits-test-secret-0123",
                        "CLAW_BUS_SOCKET",
                        dir.resolve("no-bridge.sock").toString(),
                        "CHANNEL_HTTP_PORT",
                        String.valueOf(port),
                        "CHANNEL_HTTP_BIND",
                        "127.0.0.1"));
        pb.environment().putAll(limits);
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("sidecar.log").toFile());
        sidecar = pb.start();
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(60))
                .ignoreExceptions()
                .until(() -> http.send(
                                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode()
                        == 200);
    }

    Socket open(String partialRequest) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.connect(new InetSocketAddress("127.0.0.1", port));
        s.setSoTimeout(GIVE_UP_MILLIS);
        OutputStream out = s.getOutputStream();
        out.write(partialRequest.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    /** What the server sent before closing the connection (a reset counts as closed). */
    static String readUntilClosed(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder got = new StringBuilder();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) got.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
        } catch (SocketException reset) {
            // closed by the server
        }
        return got.toString();
    }

    @Test
    void aRequestWhoseBodyStallsIsClosedAtTheRequestTimeout() throws Exception {
        start(Map.of("CHANNEL_HTTP_REQUEST_TIMEOUT_SECONDS", "1"));
        Socket slow = open("POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + "1000\r\n\r\n{\"text\":");
        // Without the timeout this read blocks until GIVE_UP_MILLIS and fails with SocketTimeoutException.
        assertThat(readUntilClosed(slow)).as("closed without an answer").isEmpty();
        HttpResponse<String> ok = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).as("other clients are still served").isEqualTo(200);
    }

    @Test
    void connectionsAboveTheCapAreClosedOnAcceptAndServedOnceOneEnds() throws Exception {
        start(Map.of("CHANNEL_HTTP_MAX_CONNECTIONS", "3", "CHANNEL_HTTP_REQUEST_TIMEOUT_SECONDS", "600"));
        List<Socket> stalled = new ArrayList<>();
        for (int i = 0; i < 3; i++) stalled.add(open("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
        // Accepted after the three (the backlog is served in order): over the cap, closed unanswered.
        Socket fourth = open("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(readUntilClosed(fourth)).as("no answer over the cap").isEmpty();

        stalled.get(0).close();
        await().atMost(Duration.ofMillis(GIVE_UP_MILLIS))
                .ignoreExceptions()
                .until(() -> readUntilClosed(open("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                        .startsWith("HTTP/1.1 200"));
    }
}
