package io.k8s4claw.bridge.ops;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/** The bridge's Prometheus metrics (served on {@code /metrics}). Label values are channel names only. */
public final class BridgeMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter messagesIn = Counter.builder()
            .name("claw_bridge_messages_in_total")
            .help("UserMessages received from channel sidecars")
            .labelNames("channel")
            .register(registry);
    private final Counter acks = Counter.builder()
            .name("claw_bridge_acks_total")
            .help("Acks sent (message durably stored); duplicate=true for redeliveries absorbed")
            .labelNames("channel", "duplicate")
            .register(registry);
    private final Counter nacks = Counter.builder()
            .name("claw_bridge_nacks_total")
            .help("Nacks sent, by reason")
            .labelNames("channel", "reason")
            .register(registry);
    private final Counter repliesOut = Counter.builder()
            .name("claw_bridge_messages_out_total")
            .help("Reply frames sent to channel sidecars")
            .labelNames("channel")
            .register(registry);
    private final Counter repliesQueued = Counter.builder()
            .name("claw_bridge_replies_logged_total")
            .help("Reply events logged durably")
            .labelNames("channel")
            .register(registry);
    private final Counter replyRetries = Counter.builder()
            .name("claw_bridge_reply_retries_total")
            .help("Replies resent after a retryable ReplyAck{ok=false}")
            .labelNames("channel")
            .register(registry);
    private final Counter deliveries = Counter.builder()
            .name("claw_bridge_deliveries_total")
            .help("Messages accepted by the runtime")
            .labelNames("channel")
            .register(registry);
    private final Counter retries = Counter.builder()
            .name("claw_bridge_delivery_retries_total")
            .help("Delivery attempts that failed retryably and were rescheduled, by error code")
            .labelNames("code")
            .register(registry);
    private final Counter deadLetters = Counter.builder()
            .name("claw_bridge_dead_letters_total")
            .help("Messages dead-lettered")
            .labelNames("channel", "reason")
            .register(registry);
    private final Counter walBytes = Counter.builder()
            .name("claw_bridge_wal_written_bytes_total")
            .help("Bytes written to the write-ahead log")
            .register(registry);
    private final Counter walFailures = Counter.builder()
            .name("claw_bridge_wal_write_failures_total")
            .help("Write-ahead log batches that could not be written (disk full, I/O error)")
            .register(registry);
    private final Histogram fsync = Histogram.builder()
            .name("claw_bridge_wal_fsync_seconds")
            .help("Duration of one write-ahead log fsync (one group commit)")
            .classicOnly()
            .classicUpperBounds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
            .register(registry);
    private final Histogram groupSize = Histogram.builder()
            .name("claw_bridge_wal_group_commit_records")
            .help("Records per group commit")
            .classicOnly()
            .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096)
            .register(registry);
    private final Histogram deliveryLatency = Histogram.builder()
            .name("claw_bridge_delivery_latency_seconds")
            .help("From durable acceptance to the runtime accepting the message")
            .classicOnly()
            .classicUpperBounds(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 3600)
            .register(registry);

    private final Histogram firstReplyLatency = Histogram.builder()
            .name("claw_bridge_first_reply_latency_seconds")
            .help("From durable acceptance of a message to the first reply text (delta, final or error) of its run")
            .classicOnly()
            .classicUpperBounds(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
            .register(registry);

    // Per-channel data points cached: label lookups showed up in profiles on the per-message path.
    private final Map<String, CounterDataPoint> inByChannel = new ConcurrentHashMap<>();
    private final Map<String, CounterDataPoint> outByChannel = new ConcurrentHashMap<>();
    private final Map<String, CounterDataPoint> loggedByChannel = new ConcurrentHashMap<>();
    private final Map<String, CounterDataPoint> ackByChannel = new ConcurrentHashMap<>();
    private final Map<String, CounterDataPoint> deliveredByChannel = new ConcurrentHashMap<>();

    public PrometheusRegistry registry() {
        return registry;
    }

    public void messageIn(String channel) {
        inByChannel.computeIfAbsent(channel, messagesIn::labelValues).inc();
    }

    public void ack(String channel, boolean duplicate) {
        if (duplicate) {
            acks.labelValues(channel, "true").inc();
        } else {
            ackByChannel
                    .computeIfAbsent(channel, ch -> acks.labelValues(ch, "false"))
                    .inc();
        }
    }

    public void nack(String channel, String reason) {
        nacks.labelValues(channel, reason).inc();
    }

    public void repliesSent(String channel, int n) {
        outByChannel.computeIfAbsent(channel, repliesOut::labelValues).inc(n);
    }

    public void replyQueued(String channel) {
        loggedByChannel.computeIfAbsent(channel, repliesQueued::labelValues).inc();
    }

    public void replyRetried(String channel) {
        replyRetries.labelValues(channel).inc();
    }

    public void delivered(String channel, double seconds) {
        deliveredByChannel.computeIfAbsent(channel, deliveries::labelValues).inc();
        deliveryLatency.observe(seconds);
    }

    public void firstReply(double seconds) {
        firstReplyLatency.observe(seconds);
    }

    public void retry(String code) {
        retries.labelValues(code).inc();
    }

    public void deadLettered(String channel, String reason) {
        deadLetters.labelValues(channel, reason).inc();
    }

    public void walBatch(int records, long bytes, long fsyncNanos) {
        walBytes.inc(bytes);
        groupSize.observe(records);
        fsync.observe(fsyncNanos / 1e9);
    }

    public void walFailure() {
        walFailures.inc();
    }

    /** Registers a gauge read at scrape time. */
    public void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .callback(cb -> cb.call(value.getAsDouble()))
                .register(registry);
    }

    /**
     * The data volume's capacity and the bytes still available to the bridge, read at scrape time from its file store
     * (the write-ahead log lives there; -1 when the store cannot be read).
     */
    public void dataVolumeGauges(Path dataDir) {
        gauge(
                "claw_bridge_data_volume_capacity_bytes",
                "Size of the volume holding the bridge's data directory",
                () -> fileStore(dataDir, false));
        gauge(
                "claw_bridge_data_volume_available_bytes",
                "Bytes still available on the volume holding the bridge's data directory",
                () -> fileStore(dataDir, true));
    }

    private static double fileStore(Path dir, boolean available) {
        try {
            FileStore store = Files.getFileStore(dir);
            return available ? store.getUsableSpace() : store.getTotalSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    public void write(OutputStream out) throws IOException {
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
    }
}
