package io.k8s4claw.bridge.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.bridge.Bridge;
import io.k8s4claw.bridge.testing.ScriptedConnector;
import io.k8s4claw.bridge.testing.TestConfigs;
import io.k8s4claw.bridge.wal.FileStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ops port at the wire: what probes, scrapers and kubectl send it, on raw sockets (the endpoints' bodies are
 * BridgeMainTest's and DeliveryEngineTest's).
 */
class OpsHttpServerTest {

    @TempDir
    Path dir;

    @Test
    void keepsTheConnectionAliveAnswersHeadAndSubPathsAndRefusesGarbage() throws Exception {
        try (Bridge bridge = Bridge.start(TestConfigs.config(dir), new ScriptedConnector(), FileStore.DEFAULT);
                Socket s = new Socket(InetAddress.getLoopbackAddress(), bridge.httpPort())) {
            s.setSoTimeout(10_000);
            String two = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nHEAD /readyz HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /healthz/live?x=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n";
            s.getOutputStream().write(two.getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String first = response(in, true);
            assertThat(first)
                    .startsWith("HTTP/1.1 200 OK")
                    .contains("content-length: 3")
                    .endsWith("\r\n\r\nok\n");
            String head = response(in, false);
            assertThat(head).startsWith("HTTP/1.1 200 OK").contains("content-type: text/plain");
            assertThat(response(in, true)).startsWith("HTTP/1.1 200 OK").endsWith("ok\n");
            assertThat(response(in, true)).startsWith("HTTP/1.1 404 Not Found").contains("/healthz");
        }
        try (Bridge bridge = Bridge.start(TestConfigs.config(dir), new ScriptedConnector(), FileStore.DEFAULT);
                Socket s = new Socket(InetAddress.getLoopbackAddress(), bridge.httpPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n".getBytes());
            assertThat(response(s.getInputStream(), true)).startsWith("HTTP/1.1 400 Bad Request");
            assertThat(s.getInputStream().read())
                    .as("closed after a bad request")
                    .isEqualTo(-1);
        }
    }

    @Test
    void theDeadLetterApiAnswersLoopbackOnly() throws Exception {
        InetAddress podAddress = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .filter(i -> {
                    try {
                        return i.isUp() && !i.isLoopback();
                    } catch (IOException e) {
                        return false;
                    }
                })
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no non-loopback IPv4 address to reach the ops port from"));
        try (Bridge bridge = Bridge.start(TestConfigs.config(dir), new ScriptedConnector(), FileStore.DEFAULT);
                Socket s = new Socket()) {
            s.connect(new InetSocketAddress(podAddress, bridge.httpPort()), 10_000);
            s.setSoTimeout(10_000);
            s.getOutputStream()
                    .write("GET /v1/dead-letters HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            assertThat(response(s.getInputStream(), true))
                    .startsWith("HTTP/1.1 403 Forbidden")
                    .contains("loopback only");
            assertThat(response(s.getInputStream(), true))
                    .startsWith("HTTP/1.1 200 OK")
                    .contains("claw_bridge_runtime_up");
        }
    }

    /** One response: its head and, when {@code withBody}, the content-length bytes after it. */
    private static String response(InputStream in, boolean withBody) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (!out.toString(StandardCharsets.UTF_8).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("connection closed mid-response: " + out);
            }
            out.write(b);
        }
        String head = out.toString(StandardCharsets.UTF_8);
        if (withBody) {
            int length = Integer.parseInt(head.replaceAll("(?s).*content-length: (\\d+)\r\n.*", "$1"));
            out.write(in.readNBytes(length));
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
