package io.k8s4claw.bridge.runtime.openclaw;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * A gateway-protocol-v4 peer whose answers each test scripts (for the close codes, timing and event orders the real
 * gateway cannot be made to produce on demand). Sends {@code connect.challenge} on open, as the real gateway does.
 */
final class ScriptedGateway extends WebSocketServer {

    static final ObjectMapper JSON = new ObjectMapper();

    record Received(WebSocket conn, JsonNode frame) {}

    final BlockingQueue<Received> requests = new LinkedBlockingQueue<>();
    final List<ClientHandshake> handshakes = new CopyOnWriteArrayList<>();
    final List<Long> connectTimes = new CopyOnWriteArrayList<>();
    final BlockingQueue<Integer> clientCloseCodes = new LinkedBlockingQueue<>();
    private final CountDownLatch started = new CountDownLatch(1);
    volatile BiConsumer<WebSocket, JsonNode> onRequest = (c, f) -> {};

    ScriptedGateway() {
        super(new InetSocketAddress("127.0.0.1", 0));
        setReuseAddr(true);
    }

    static ScriptedGateway begin() throws InterruptedException {
        ScriptedGateway g = new ScriptedGateway();
        g.start();
        g.started.await(10, TimeUnit.SECONDS);
        return g;
    }

    URI url() {
        return URI.create("ws://127.0.0.1:" + getPort() + "/");
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
        handshakes.add(handshake);
        connectTimes.add(System.nanoTime());
        conn.send("{\"type\":\"event\",\"event\":\"connect.challenge\",\"payload\":{\"nonce\":\"n-1\","
                + "\"ts\":1767225600000,"
                + "\"capabilities\":[\"model-catalog-snapshot\"]}}");
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
        if (remote) {
            clientCloseCodes.add(code);
        }
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
        try {
            JsonNode f = JSON.readTree(message);
            requests.add(new Received(conn, f));
            onRequest.accept(conn, f);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {}

    @Override
    public void onStart() {
        started.countDown();
    }

    Received next(String method) throws InterruptedException {
        while (true) {
            Received r = requests.poll(20, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("no " + method + " request within 20 s");
            }
            if (method.equals(r.frame().path("method").asText())) {
                return r;
            }
        }
    }

    static String helloOk(String id, String scopes, long tickMs) {
        return "{\"type\":\"res\",\"id\":\"" + id + "\",\"ok\":true,\"payload\":{\"type\":\"hello-ok\",\"protocol\":4,"
                + "\"server\":{\"version\":\"2026.9.6\",\"connId\":\"x\"},\"features\":{\"methods\":[],\"events\":[]},"
                + "\"snapshot\":{},\"auth\":{\"method\":\"token\",\"role\":\"operator\",\"scopes\":" + scopes + "},"
                + "\"policy\":{\"maxPayload\":26214400,\"maxBufferedBytes\":52428800,\"tickIntervalMs\":" + tickMs
                + "}}}";
    }

    static String chat(String runId, String stateAndFields) {
        return "{\"type\":\"event\",\"event\":\"chat\",\"payload\":{\"runId\":\"" + runId
                + "\",\"sessionKey\":\"agent:main:slack:channel:c1\",\"seq\":1," + stateAndFields + "}}";
    }

    static String text(String t) {
        return "\"message\":{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"" + t
                + "\"}],\"timestamp\":1}";
    }
}
