package io.k8s4claw.channel.example;

import io.k8s4claw.api.bus.v1.ChannelCapabilities;
import io.k8s4claw.api.bus.v1.ChatType;
import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.Sender;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.channel.sdk.BusClient;
import io.k8s4claw.channel.sdk.PublishException;
import io.k8s4claw.channel.sdk.ReplyOutcome;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The example channel from the SDK guide (docs/sdk.md): a terminal as a chat platform, using nothing but
 * the SDK. Each input line is a user message; the agent's final replies are printed. Run it next to a
 * bridge: {@code java ... ConsoleChannel /var/run/claw/bus.sock}.
 */
public final class ConsoleChannel {
    private final BusClient bus;
    private final PrintStream out;
    private final AtomicLong lineNumber = new AtomicLong();
    private final String session = Long.toString(System.currentTimeMillis(), 36);

    public ConsoleChannel(Path socket, PrintStream out) {
        this.out = out;
        this.bus = BusClient.builder()
                .socketPath(socket)
                .channel("console", "custom")
                .capabilities(ChannelCapabilities.newBuilder()
                        .setMaxMessageLength(0)
                        .setMarkdownDialect("plain")
                        .build())
                .replyHandler(this::show)
                .build();
    }

    /** Replies: print finals and errors; everything else (start, deltas, typing) is acknowledged silently. */
    private CompletableFuture<ReplyOutcome> show(Reply reply) {
        switch (reply.getEventCase()) {
            case FINAL -> out.println("agent> " + reply.getFinal().getText());
            case ERROR -> out.println("agent (error)> " + reply.getError().getUserVisibleText());
            default -> {}
        }
        return CompletableFuture.completedFuture(ReplyOutcome.delivered());
    }

    /** Reads lines until end of input; each is published and confirmed once the bridge stored it. */
    public void run(InputStream in) throws IOException {
        bus.start();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isBlank()) continue;
            UserMessage m = UserMessage.newBuilder()
                    .setMessageId(
                            session + "-" + lineNumber.incrementAndGet()) // stable per line: retries are deduplicated
                    .setConversationId("console")
                    .setSender(Sender.newBuilder().setId(System.getProperty("user.name", "user")))
                    .setText(line)
                    .setChatType(ChatType.DIRECT)
                    .setSentAtUnixMs(System.currentTimeMillis())
                    .build();
            try {
                bus.publish(m).toCompletableFuture().join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof PublishException pe) {
                    out.println("(not sent: " + (pe.userVisibleText().isEmpty() ? pe.reason() : pe.userVisibleText())
                            + ")");
                } else {
                    throw e;
                }
            }
        }
    }

    /** Waits for the last replies, then drains. */
    public void close(Duration grace) {
        bus.close(grace);
    }

    public static void main(String[] args) throws IOException {
        ConsoleChannel channel =
                new ConsoleChannel(Path.of(args.length > 0 ? args[0] : "/var/run/claw/bus.sock"), System.out);
        channel.run(System.in);
        channel.close(Duration.ofSeconds(30));
    }
}
