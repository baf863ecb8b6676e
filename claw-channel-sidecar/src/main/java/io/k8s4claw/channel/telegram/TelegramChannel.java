package io.k8s4claw.channel.telegram;

import io.k8s4claw.api.bus.v1.ChannelCapabilities;
import io.k8s4claw.channel.common.ChannelConfig;
import io.k8s4claw.channel.common.ChannelHttpServer;
import io.k8s4claw.channel.common.ChannelMetrics;
import io.k8s4claw.channel.common.PlatformChannel;
import io.k8s4claw.channel.common.PlatformStatus;
import io.k8s4claw.channel.sdk.BusClient;
import io.k8s4claw.channel.sdk.ReplyHandler;
import java.time.Duration;

public final class TelegramChannel implements PlatformChannel {
    public TelegramChannel(String name, ChannelConfig config, ChannelMetrics metrics) {
        throw new UnsupportedOperationException("not yet");
    }
    public ChannelCapabilities capabilities() { return null; }
    public ReplyHandler replyHandler() { return null; }
    public void start(BusClient bus, ChannelHttpServer http) {}
    public PlatformStatus status() { return null; }
    public void close(Duration grace) {}
}
