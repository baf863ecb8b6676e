package io.k8s4claw.channel.common;

import io.k8s4claw.api.bus.v1.ChannelCapabilities;
import io.k8s4claw.channel.sdk.BusClient;
import io.k8s4claw.channel.sdk.ReplyHandler;
import java.time.Duration;

/**
 * One chat platform's side of a channel sidecar. The host ({@code ChannelHost}) creates the bus client
 * with {@link #capabilities()} and {@link #replyHandler()}, then calls {@link #start}; inbound platform
 * events are published with {@link BusClient#publish}.
 */
public interface PlatformChannel extends AutoCloseable {
    ChannelCapabilities capabilities();

    /**
     * What a chat platform offers the bridge (and, through the relay, Hermes). Threads are supported everywhere;
     * the ops follow from the edit and typing support, so the two cannot disagree.
     */
    static ChannelCapabilities capabilities(
            int maxMessageLength,
            ChannelCapabilities.LengthUnit unit,
            boolean edit,
            boolean typing,
            String markdownDialect) {
        ChannelCapabilities.Builder b = ChannelCapabilities.newBuilder()
                .setMaxMessageLength(maxMessageLength)
                .setLengthUnit(unit)
                .setSupportsEdit(edit)
                .setSupportsThreads(true)
                .setSupportsTyping(typing)
                .setMarkdownDialect(markdownDialect)
                .addSupportedOps("send");
        if (edit) {
            b.addSupportedOps("edit");
        }
        if (typing) {
            b.addSupportedOps("typing");
        }
        return b.build();
    }

    ReplyHandler replyHandler();

    /** Connects to the platform (in the background; reconnecting as the platform's protocol says). */
    void start(BusClient bus, ChannelHttpServer http);

    PlatformStatus status();

    /** Stops taking platform events, finishes what is in flight within {@code grace}. */
    void close(Duration grace);

    @Override
    default void close() {
        close(Duration.ofSeconds(5));
    }
}
