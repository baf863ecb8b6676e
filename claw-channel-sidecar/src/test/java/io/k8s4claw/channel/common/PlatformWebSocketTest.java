package io.k8s4claw.channel.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The channels' WebSocket over the JDK client, against MockWebServer and (for the missing pong) a raw socket. */
class PlatformWebSocketTest {
    private final PlatformHttp http = PlatformHttp.create("test", Duration.ofSeconds(5));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private final PlatformWebSocket.Listener recorder = new PlatformWebSocket.Listener() {
        @Override
        public void onMessage(PlatformWebSocket socket, String text) {
            events.add("message " + text);
            if (text.startsWith("echo ")) socket.send("reply " + text.substring(5));
        }

        @Override
        public void onClosing(PlatformWebSocket socket, int code, String reason) {
            events.add("closing " + code + " " + reason);
        }

        @Override
        public void onFailure(PlatformWebSocket socket, Throwable error, int httpStatus) {
            failure.set(error);
            events.add("failure " + httpStatus + " " + error.getClass().getSimpleName());
        }
    };

    @AfterEach
    void close() {
        http.close();
        timer.shutdownNow();
    }

    @Test
    void messagesArriveWholeAndInOrderAndSendsFromManyThreadsAllGoOut() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        AtomicReference<WebSocket> server = new AtomicReference<>();
        try (MockWebServer mock = new MockWebServer()) {
            mock.enqueue(new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
                @Override
                public void onOpen(WebSocket ws, Response response) {
                    server.set(ws);
                    ws.send("x".repeat(200_000)); // more than one frame's worth for the JDK's reader
                    for (int i = 0; i < 50; i++) ws.send("echo " + i);
                }

                @Override
                public void onMessage(WebSocket ws, String text) {
                    received.add(text);
                }

                @Override
                public void onClosing(WebSocket ws, int code, String reason) {
                    ws.close(code, reason);
                }
            }));
            PlatformWebSocket socket = http.webSocket(
                    URI.create(mock.url("/socket").toString().replace("http:", "ws:")), recorder, null, null);
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 50);
            assertThat(events.get(0)).isEqualTo("message " + "x".repeat(200_000));
            for (int i = 0; i < 50; i++) assertThat(events.get(i + 1)).isEqualTo("message echo " + i);
            for (int i = 0; i < 50; i++) assertThat(received.get(i)).isEqualTo("reply " + i);

            // concurrent sends (the JDK socket takes one at a time): all arrive
            Thread[] senders = new Thread[8];
            for (int t = 0; t < senders.length; t++) {
                int id = t;
                senders[t] = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 25; i++)
                        assertThat(socket.send("t" + id + "-" + i)).isTrue();
                });
            }
            for (Thread t : senders) t.join();
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 250);

            server.get().close(4000, "bye");
            await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("closing 4000 bye"));
            assertThat(socket.send("late")).isFalse();
            assertThat(failure.get()).isNull();
        }
    }

    @Test
    void aRefusedHandshakeIsAFailureWithItsStatus() throws Exception {
        try (MockWebServer mock = new MockWebServer()) {
            mock.enqueue(new MockResponse().setResponseCode(403));
            http.webSocket(URI.create(mock.url("/socket").toString().replace("http:", "ws:")), recorder, null, null);
            await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
            assertThat(events).containsExactly("failure 403 WebSocketHandshakeException");
        }
    }

    @Test
    void aPeerThatStopsAnsweringPingsFailsTheSocket() throws Exception {
        try (ServerSocket listener = new ServerSocket(0)) {
            Thread.ofPlatform().daemon().start(() -> acceptAndNeverAnswer(listener));
            http.webSocket(
                    URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/socket"),
                    recorder,
                    Duration.ofMillis(200),
                    timer);
            await().atMost(Duration.ofSeconds(10)).until(() -> failure.get() != null);
            assertThat(failure.get()).isInstanceOf(SocketTimeoutException.class);
            assertThat(events).containsExactly("failure 0 SocketTimeoutException");
        }
    }

    /** Completes the WebSocket handshake, then reads and drops every frame (pings included). */
    private static void acceptAndNeverAnswer(ServerSocket listener) {
        try (Socket s = listener.accept()) {
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) head.append((char) in.read());
            String key = head.toString()
                    .lines()
                    .filter(l -> l.toLowerCase().startsWith("sec-websocket-key:"))
                    .findFirst()
                    .orElseThrow()
                    .substring("sec-websocket-key:".length())
                    .trim();
            String accept = Base64.getEncoder()
                    .encodeToString(MessageDigest.getInstance("SHA-1")
                            .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                                    .getBytes(StandardCharsets.US_ASCII)));
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            while (in.read() >= 0) {
                // drop everything
            }
        } catch (Exception e) {
            // the client went away: the test is over
        }
    }
}
