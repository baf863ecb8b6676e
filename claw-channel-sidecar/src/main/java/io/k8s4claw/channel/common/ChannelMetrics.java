package io.k8s4claw.channel.common;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.BooleanSupplier;

/**
 * The sidecar's Prometheus metrics (all labelled with the channel name and type):
 * {@code claw_channel_events_in_total}, {@code claw_channel_replies_out_total},
 * {@code claw_channel_dedupes_total}, {@code claw_channel_rate_limit_waits_total},
 * {@code claw_channel_errors_total{kind}}, {@code claw_channel_ignored_total{reason}}, and the
 * {@code claw_channel_platform_connected} / {@code claw_channel_bus_connected} gauges.
 */
public final class ChannelMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final String channel;
    private final String type;
    private final Counter eventsIn;
    private final Counter repliesOut;
    private final Counter dedupes;
    private final Counter rateLimitWaits;
    private final Counter errors;
    private final Counter ignored;

    public ChannelMetrics(String channel, String type) {
        this.channel = channel;
        this.type = type;
        eventsIn = Counter.builder()
                .name("claw_channel_events_in_total")
                .help("Platform events published to the bus")
                .labelNames("channel", "type")
                .register(registry);
        repliesOut = Counter.builder()
                .name("claw_channel_replies_out_total")
                .help("Platform messages posted or edited for agent replies")
                .labelNames("channel", "type")
                .register(registry);
        dedupes = Counter.builder()
                .name("claw_channel_dedupes_total")
                .help("Redelivered platform events dropped as duplicates")
                .labelNames("channel", "type")
                .register(registry);
        rateLimitWaits = Counter.builder()
                .name("claw_channel_rate_limit_waits_total")
                .help("Times the platform rate-limited us and we waited")
                .labelNames("channel", "type")
                .register(registry);
        errors = Counter.builder()
                .name("claw_channel_errors_total")
                .help("Errors by kind")
                .labelNames("channel", "type", "kind")
                .register(registry);
        ignored = Counter.builder()
                .name("claw_channel_ignored_total")
                .help("Platform events ignored (bot messages, edits ...)")
                .labelNames("channel", "type", "reason")
                .register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    public void eventIn() {
        eventsIn.labelValues(channel, type).inc();
    }

    public void replyOut() {
        repliesOut.labelValues(channel, type).inc();
    }

    public void dedupe() {
        dedupes.labelValues(channel, type).inc();
    }

    public void rateLimitWait() {
        rateLimitWaits.labelValues(channel, type).inc();
    }

    public void error(String kind) {
        errors.labelValues(channel, type, kind).inc();
    }

    public void ignored(String reason) {
        ignored.labelValues(channel, type, reason).inc();
    }

    public double eventsIn() {
        return eventsIn.labelValues(channel, type).get();
    }

    public double repliesOut() {
        return repliesOut.labelValues(channel, type).get();
    }

    public double dedupes() {
        return dedupes.labelValues(channel, type).get();
    }

    public double rateLimitWaits() {
        return rateLimitWaits.labelValues(channel, type).get();
    }

    public void connectionGauges(BooleanSupplier platform, BooleanSupplier bus) {
        GaugeWithCallback.builder()
                .name("claw_channel_platform_connected")
                .help("1 when connected to the chat platform")
                .labelNames("channel", "type")
                .callback(cb -> cb.call(platform.getAsBoolean() ? 1 : 0, channel, type))
                .register(registry);
        GaugeWithCallback.builder()
                .name("claw_channel_bus_connected")
                .help("1 when registered with the bridge")
                .labelNames("channel", "type")
                .callback(cb -> cb.call(bus.getAsBoolean() ? 1 : 0, channel, type))
                .register(registry);
    }
}
