package io.k8s4claw.bridge.fault;

import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Nack;
import io.k8s4claw.bridge.testing.TestSidecar;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A well-behaved channel sidecar that survives bridge restarts: keeps every message until acked (resending
 * after reconnect), acks every reply, remembers its last_reply_seq and the finals it got per message.
 */
final class FaultSidecar implements AutoCloseable {

    final String channel;
    final Map<String, String> unacked = new ConcurrentHashMap<>(); // id -> conversation|text
    final Set<String> acked = ConcurrentHashMap.newKeySet();
    final Map<String, List<String>> finals = new ConcurrentHashMap<>(); // in_reply_to -> texts
    final Map<String, List<String>> errors = new ConcurrentHashMap<>(); // in_reply_to -> "code: user text"
    volatile long lastReplySeq;
    private TestSidecar conn;
    private Thread pump;
    private volatile boolean running;

    FaultSidecar(String channel) {
        this.channel = channel;
    }

    void connect(Path socket) throws Exception {
        conn = TestSidecar.connect(socket);
        Frame w = conn.hello(channel, lastReplySeq);
        if (!w.hasWelcome()) {
            throw new AssertionError("registration failed: " + w);
        }
        running = true;
        TestSidecar c = conn;
        pump = new Thread(() -> loop(c), "fault-sidecar");
        pump.setDaemon(true);
        pump.start();
        for (Map.Entry<String, String> e : Map.copyOf(unacked).entrySet()) {
            String[] parts = e.getValue().split("\\|", 2);
            c.sendMessage(e.getKey(), parts[0], parts[1]);
        }
    }

    private void loop(TestSidecar c) {
        try {
            while (running && !c.closedByPeer()) {
                Frame f = c.poll(Duration.ofMillis(100));
                if (f == null) {
                    continue;
                }
                if (f.hasAck()) {
                    unacked.remove(f.getAck().getMessageId());
                    acked.add(f.getAck().getMessageId());
                } else if (f.hasReply()) {
                    var r = f.getReply();
                    if (r.hasFinal()) {
                        finals.computeIfAbsent(r.getInReplyTo(), k -> new CopyOnWriteArrayList<>())
                                .add(r.getFinal().getText());
                    } else if (r.hasError()) {
                        errors.computeIfAbsent(r.getInReplyTo(), k -> new CopyOnWriteArrayList<>())
                                .add(r.getError().getCode() + ": "
                                        + r.getError().getUserVisibleText());
                    }
                    c.send(c.frames().replyAck(r.getReplySeq(), true, "", false, List.of("p" + r.getReplySeq())));
                    lastReplySeq = Math.max(lastReplySeq, r.getReplySeq());
                } else if (f.hasHeartbeat() && !f.getHeartbeat().getResponse()) {
                    // like the channel SDK: answer pings, or the bridge closes a connection silent for 3 intervals
                    c.send(c.frames().heartbeatResponse(f.getHeartbeat(), System.currentTimeMillis()));
                } else if (f.hasNack()) {
                    nacks.add(f.getNack());
                }
            }
        } catch (Exception e) {
            // connection gone; reconnect() starts a new loop
        }
    }

    final List<Nack> nacks = new CopyOnWriteArrayList<>();

    void send(String id, String conversation, String text) throws IOException {
        unacked.put(id, conversation + "|" + text);
        conn.sendMessage(id, conversation, text);
    }

    void disconnect() throws Exception {
        running = false;
        if (pump != null) {
            pump.join(2000);
        }
        if (conn != null) {
            conn.close();
        }
    }

    @Override
    public void close() throws Exception {
        disconnect();
    }
}
