package io.k8s4claw.channel;

import io.k8s4claw.api.bus.v1.Ack;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.ReplyAck;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.channel.sdk.FakeBridge;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;

/** A channel sidecar (the real {@link ChannelHost}) wired to a {@link FakeBridge} on a temp socket. */
public final class SidecarHarness implements AutoCloseable {
    public final FakeBridge bridge;
    public final ChannelHost host;
    private final AtomicLong replySeq = new AtomicLong();
    private final HttpClient http = HttpClient.newHttpClient();

    public SidecarHarness(Path dir, String type, String configJson, Map<String, String> secrets) throws IOException {
        bridge = new FakeBridge(dir.resolve("bus.sock"));
        Map<String, String> env = new HashMap<>(secrets);
        env.put("CHANNEL_NAME", type + "-test");
        env.put("CHANNEL_TYPE", type);
        env.put("CHANNEL_CONFIG", configJson);
        env.put("CLAW_BUS_SOCKET", bridge.socket.toString());
        env.put("CHANNEL_HTTP_PORT", "0");
        env.put("CHANNEL_HTTP_BIND", "127.0.0.1");
        host = ChannelHost.fromEnvironment(env);
        host.start();
    }

    /** The next UserMessage the sidecar published. */
    public UserMessage nextMessage() throws InterruptedException {
        return bridge.next(Frame.BodyCase.USER_MESSAGE).getUserMessage();
    }

    public void ack(String messageId) {
        bridge.current().send(Frame.newBuilder().setAck(Ack.newBuilder().setMessageId(messageId)));
    }

    /** Sends a reply event; returns its reply_seq. */
    public long reply(Reply.Builder reply) {
        if (!(host.bus().isConnected() && bridge.current() != null)) {
            Awaitility.await()
                    .pollDelay(Duration.ZERO)
                    .until(() -> host.bus().isConnected() && bridge.current() != null);
        }
        long seq = replySeq.incrementAndGet();
        bridge.current().send(Frame.newBuilder().setReply(reply.setReplySeq(seq)));
        return seq;
    }

    public ReplyAck nextReplyAck() throws InterruptedException {
        return bridge.next(Frame.BodyCase.REPLY_ACK).getReplyAck();
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.httpPort() + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, Map<String, String> headers, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.httpPort() + path))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws IOException {
        host.close(Duration.ofMillis(500));
        bridge.close();
    }
}
