package io.k8s4claw.bridge.runtime.relay;

import io.k8s4claw.api.bus.v1.ChannelCapabilities;
import io.k8s4claw.api.json.Json;
import io.k8s4claw.bridge.runtime.Accepted;
import io.k8s4claw.bridge.runtime.ChannelAware;
import io.k8s4claw.bridge.runtime.DeliveryException;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.OutboundException;
import io.k8s4claw.bridge.runtime.OutboundRouter;
import io.k8s4claw.bridge.runtime.OutboundTarget;
import io.k8s4claw.bridge.runtime.ReplySink;
import io.k8s4claw.bridge.runtime.RuntimeConnector;
import io.k8s4claw.bridge.runtime.RuntimeHealth;
import io.k8s4claw.bridge.runtime.relay.RelayServer.RelaySession;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hermes over its relay WebSocket (docs/runtime-hermes-relay.md): Hermes dials in to {@code ws://127.0.0.1:8765/relay};
 * the bridge is the connector.
 *
 * <ul>
 *   <li>Inbound: {@link #deliver} writes an {@code inbound} frame to the live, handshaken socket. Hermes answers
 *       through {@code outbound} actions that carry no run reference, so the run is complete as soon as the frame
 *       is written: the sink gets {@code onStart} and an empty {@code onFinal} (nothing to post), and the reply
 *       text travels the proactive path below. Hermes de-duplicates on {@code platform:chat_id:message_id}, so a
 *       re-delivery of the same bus message is absorbed.</li>
 *   <li>Outbound (replies, cron output, background results): {@code send}/{@code edit}/{@code typing} go to the
 *       owning channel through the {@link OutboundRouter}; the {@code outbound_result} carries the platform message
 *       id so later edits land. Every request is answered within {@code outboundTimeout} (&lt; Hermes' 30 s).</li>
 *   <li>One live socket: a new authenticated connection replaces the old one. Each {@code hello} gets a
 *       descriptor built from the channel's capabilities.</li>
 * </ul>
 */
public final class HermesRelayConnector implements RuntimeConnector, ChannelAware {

    private static final Logger LOG = LoggerFactory.getLogger(HermesRelayConnector.class);
    private static final int MAX_REMEMBERED_CHATS = 10_000;

    private final RelaySettings settings;
    private final RelayChannels channels;
    private final Clock clock;
    /**
     * Where a delivery's sink is called once its frame is written, and where outbound results time out: the loop,
     * or a thread of its own.
     */
    private volatile ScheduledExecutorService callbacks;

    private ScheduledExecutorService ownCallbacks;
    private final AtomicReference<Live> live = new AtomicReference<>();
    private final Map<String, KnownChat> chats = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, KnownChat> eldest) {
            return size() > MAX_REMEMBERED_CHATS;
        }
    };
    private volatile RuntimeHealth health;
    private volatile OutboundRouter router;
    private volatile RelayServer server;
    private volatile boolean everConnected;
    private volatile boolean closed;

    /** A socket and whether it has received a descriptor (handshake complete), and its default platform. */
    private record Live(RelaySession session, boolean handshaken, String defaultPlatform) {}

    /** Where the bridge saw a chat last: the channel that owns it. */
    private record KnownChat(String channelName, String channelType) {}

    /** Channels as the core reports them through {@link ChannelAware}, by channel type (= Hermes platform). */
    private final Map<String, RelayChannels.Channel> registered = new ConcurrentHashMap<>();

    /** Learns the channels from {@link #onChannelRegistered} (the core calls it when a sidecar registers). */
    public HermesRelayConnector(RelaySettings settings, Clock clock) {
        this(settings, null, clock);
    }

    /** @param channels where descriptors come from; {@code null} to use what {@link #onChannelRegistered} reported */
    public HermesRelayConnector(RelaySettings settings, RelayChannels channels, Clock clock) {
        this.settings = settings;
        this.channels = channels != null ? channels : platform -> Optional.ofNullable(registered.get(platform));
        this.clock = clock;
        this.health = new RuntimeHealth(
                RuntimeHealth.State.STARTING, "waiting for Hermes to dial in to /relay", clock.instant());
    }

    @Override
    public String protocol() {
        return "hermes-relay";
    }

    /** Starts on an event loop and a callback thread of its own (tests, a host without the bridge's loop). */
    @Override
    public void start(OutboundRouter outbound) {
        start(outbound, null);
    }

    /**
     * Starts on {@code loop}, the bridge's: the listener, its sockets and the sinks' callbacks run there, no
     * thread of its own (docs/design.md, "Memory"). Must not be called on that loop (it binds synchronously).
     */
    @Override
    public synchronized void start(OutboundRouter outbound, EventLoop loop) {
        if (router != null || closed) {
            throw new IllegalStateException("hermes-relay connector already started or closed");
        }
        router = outbound;
        if (loop != null) {
            callbacks = loop;
        } else {
            ownCallbacks = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "hermes-relay-callbacks");
                t.setDaemon(true);
                return t;
            });
            callbacks = ownCallbacks;
        }
        server = new RelayServer(settings, new Listener(), clock, loop).start();
    }

    /** The bound port (useful when configured with 0). */
    public int port() {
        return server.port();
    }

    @Override
    public CompletionStage<Accepted> deliver(InboundMessage message, ReplySink sink) {
        if (closed) {
            return CompletableFuture.failedFuture(
                    DeliveryException.permanent("closed", "the hermes-relay connector is closed"));
        }
        Live l = live.get();
        if (l == null || !l.session().isOpen()) {
            return CompletableFuture.failedFuture(DeliveryException.retryable(
                    "unreachable",
                    "Hermes is not connected to the relay (ws://" + settings.bindHost() + ":" + settings.port()
                            + "/relay)"));
        }
        if (!l.handshaken()) {
            return CompletableFuture.failedFuture(DeliveryException.retryable(
                    "starting", "Hermes is connected to the relay but has not completed its hello yet"));
        }
        String platform = message.channelType().isEmpty() ? l.defaultPlatform() : message.channelType();
        remember(platform, message.conversationId(), new KnownChat(message.channelName(), message.channelType()));
        String frame = RelayFrameWriter.inbound(platform, message);
        CompletableFuture<Accepted> accepted = new CompletableFuture<>();
        l.session()
                .send(frame)
                .whenCompleteAsync(
                        (ok, failure) -> {
                            if (failure != null) {
                                accepted.completeExceptionally(DeliveryException.retryable(
                                        "link_lost",
                                        "the relay socket failed while sending the message: " + failure.getMessage(),
                                        null,
                                        failure));
                                return;
                            }
                            accepted.complete(new Accepted(message.messageId(), false));
                            // Hermes replies through outbound actions (no run reference): this run is done once handed
                            // over.
                            sink.onStart();
                            sink.onFinal("");
                        },
                        callbacks);
        return accepted;
    }

    /** Nothing to re-attach to: re-send; Hermes drops a message id it has seen (last 512 remembered). */
    @Override
    public CompletionStage<Accepted> resume(InboundMessage message, String runRef, ReplySink sink) {
        return deliver(message, sink);
    }

    @Override
    public CompletionStage<Void> answerApproval(String runRef, String approvalId, String choice) {
        return CompletableFuture.failedFuture(DeliveryException.permanent(
                "approval_unsupported",
                "over the relay Hermes asks for approval in plain text; the user answers with /approve or /deny"));
    }

    @Override
    public void onChannelRegistered(String channelName, String channelType, ChannelCapabilities capabilities) {
        RelayChannels.Channel previous =
                registered.put(channelType, new RelayChannels.Channel(channelName, channelType, capabilities));
        if (previous != null && !previous.channelName().equals(channelName)) {
            LOG.warn(
                    "hermes relay: channels '{}' and '{}' are both of type {}; Hermes sees one platform per type, "
                            + "so descriptors follow '{}'",
                    previous.channelName(),
                    channelName,
                    channelType,
                    channelName);
        }
    }

    @Override
    public RuntimeHealth health() {
        return health;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Live l = live.getAndSet(null);
        if (l != null) {
            l.session().close(1001, "bridge shutting down");
        }
        if (server != null) {
            server.close();
        }
        if (ownCallbacks != null) {
            ownCallbacks.shutdown();
        }
    }

    private void setHealth(RuntimeHealth.State state, String detail) {
        if (health.state() != state || !health.detail().equals(detail)) {
            health = new RuntimeHealth(state, detail, Instant.now(clock));
        }
    }

    private void remember(String platform, String chatId, KnownChat chat) {
        synchronized (chats) {
            chats.put(platform + "\n" + chatId, chat);
        }
    }

    private KnownChat known(String platform, String chatId) {
        synchronized (chats) {
            return chats.get(platform + "\n" + chatId);
        }
    }

    private final class Listener implements RelayServer.Listener {
        @Override
        public void onOpen(RelaySession session) {
            Live previous = live.getAndSet(new Live(session, false, "relay"));
            if (previous != null && previous.session() != session) {
                LOG.info("hermes relay: {} replaces {}", session, previous.session());
                previous.session().close(1000, "replaced by a newer connection");
            }
            LOG.info("hermes relay: {} connected", session);
        }

        @Override
        public void onFrame(RelaySession session, RelayFrame frame) {
            switch (frame) {
                case RelayFrame.Hello hello -> onHello(session, hello);
                case RelayFrame.Outbound out -> onOutbound(session, out);
                case RelayFrame.MalformedOutbound bad -> {
                    LOG.warn("hermes relay: outbound {} is malformed: {}", bad.requestId(), bad.reason());
                    session.send(RelayFrameWriter.outboundResult(
                            bad.requestId(), RelayFrameWriter.failure("malformed action: " + bad.reason())));
                }
                case RelayFrame.GoingIdle ignored -> {
                    session.send(RelayFrameWriter.goingIdleAck());
                    setHealth(RuntimeHealth.State.STARTING, "Hermes is going idle (shutdown or drain)");
                }
                case RelayFrame.InboundAck ack -> LOG.debug("hermes relay: inbound_ack {}", ack.bufferId());
                case RelayFrame.Interrupt interrupt ->
                    LOG.info(
                            "hermes relay: ignoring interrupt for session {} (single gateway)", interrupt.sessionKey());
                case RelayFrame.Unknown unknown -> LOG.debug("hermes relay: ignoring frame type '{}'", unknown.type());
            }
        }

        private void onHello(RelaySession session, RelayFrame.Hello hello) {
            CapabilityDescriptor descriptor = channels.forPlatform(hello.platform())
                    .map(c -> CapabilityDescriptor.from(hello.platform(), c.capabilities()))
                    .orElseGet(() -> CapabilityDescriptor.defaultsFor(hello.platform()));
            // We are on the socket's event loop: an inbound frame that deliver() writes from another thread after
            // this flag flips is queued behind this task, so it always follows the descriptor on the wire.
            live.updateAndGet(l -> l != null && l.session() == session
                    ? new Live(session, true, l.handshaken() ? l.defaultPlatform() : hello.platform())
                    : l);
            session.send(RelayFrameWriter.descriptor(descriptor));
            everConnected = true;
            setHealth(RuntimeHealth.State.UP, "Hermes gateway '" + session.gatewayId() + "' connected to /relay");
            LOG.info("hermes relay: hello from {} for platform '{}' answered", session, hello.platform());
        }

        private void onOutbound(RelaySession session, RelayFrame.Outbound out) {
            CompletableFuture<Json> result;
            try {
                result = execute(session, out).toCompletableFuture();
            } catch (RuntimeException e) {
                result = CompletableFuture.failedFuture(e);
            }
            within(result, settings.outboundTimeout().toMillis())
                    .exceptionally(t -> failureResult(out, t))
                    .thenAccept(r -> {
                        if (session.isOpen()) {
                            session.send(RelayFrameWriter.outboundResult(out.requestId(), r));
                        } else {
                            LOG.warn(
                                    "hermes relay: socket gone before the result of {} {} could be sent",
                                    out.op(),
                                    out.requestId());
                        }
                    });
        }

        /**
         * {@code orTimeout} on the connector's own executor: the JDK's would start a delay-scheduler thread of its
         * own for it.
         */
        private CompletableFuture<Json> within(CompletableFuture<Json> result, long timeoutMs) {
            ScheduledFuture<?> timer = callbacks.schedule(
                    () -> result.completeExceptionally(new TimeoutException()), timeoutMs, TimeUnit.MILLISECONDS);
            result.whenComplete((r, e) -> timer.cancel(false));
            return result;
        }

        private CompletionStage<Json> execute(RelaySession session, RelayFrame.Outbound out) {
            Json a = out.action();
            return switch (out.op()) {
                case "send" ->
                    router.send(target(session, out), text(a, "content"), nullable(a, "reply_to"))
                            .thenApply(r -> RelayFrameWriter.success(r.lastMessageId()));
                case "edit" -> {
                    String messageId = nullable(a, "message_id");
                    if (messageId == null) {
                        yield CompletableFuture.completedFuture(
                                RelayFrameWriter.failure("edit needs action.message_id"));
                    }
                    yield router.edit(target(session, out), messageId, text(a, "content"))
                            .thenApply(r -> RelayFrameWriter.success(r.lastMessageId()));
                }
                case "typing" -> {
                    if (a.has("content") && text(a, "content").isEmpty()) {
                        yield CompletableFuture.completedFuture(RelayFrameWriter.success(null)); // explicit clear
                    }
                    yield router.typing(target(session, out)).thenApply(v -> RelayFrameWriter.success(null));
                }
                default -> CompletableFuture.completedFuture(RelayFrameWriter.failure("unsupported op"));
            };
        }

        private OutboundTarget target(RelaySession session, RelayFrame.Outbound out) {
            Json a = out.action();
            String chatId = nullable(a, "chat_id");
            if (chatId == null) {
                throw new IllegalArgumentException("action.chat_id is required for " + out.op());
            }
            Live l = live.get();
            String platform = out.platform() != null ? out.platform() : l != null ? l.defaultPlatform() : "relay";
            Json meta = a.path("metadata");
            String thread = meta.path("thread_id").isTextual()
                    ? meta.path("thread_id").asText()
                    : meta.path("thread_ts").isTextual()
                            ? meta.path("thread_ts").asText()
                            : "";
            KnownChat chat = known(platform, chatId);
            if (chat != null) {
                return new OutboundTarget(chat.channelName(), chat.channelType(), chatId, thread);
            }
            // proactive delivery (cron, background result) to a chat not seen on this socket: the platform decides
            return new OutboundTarget(null, platform, chatId, thread);
        }

        private Json failureResult(RelayFrame.Outbound out, Throwable t) {
            Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
            if (cause instanceof OutboundException oe) {
                if (oe.code().equals("unknown_channel")) {
                    return RelayFrameWriter.egressDeclined(out.platform() == null ? "relay" : out.platform());
                }
                return RelayFrameWriter.failure(oe.code() + ": " + oe.getMessage());
            }
            if (cause instanceof TimeoutException) {
                return RelayFrameWriter.failure("the channel did not confirm " + out.op() + " within "
                        + settings.outboundTimeout().toSeconds() + " s");
            }
            if (cause instanceof IllegalArgumentException) {
                return RelayFrameWriter.failure(cause.getMessage());
            }
            LOG.warn("hermes relay: {} {} failed: {}", out.op(), out.requestId(), cause.toString());
            return RelayFrameWriter.failure("internal error executing " + out.op());
        }

        @Override
        public void onBadLine(RelaySession session, long lineIndex, String reason) {
            LOG.warn("hermes relay: {} line {} skipped: {}", session, lineIndex, reason);
        }

        @Override
        public void onClose(RelaySession session, int code, String reason) {
            Live now = live.updateAndGet(l -> l != null && l.session() == session ? null : l);
            if (now == null && !closed) {
                setHealth(
                        everConnected ? RuntimeHealth.State.DOWN : RuntimeHealth.State.STARTING,
                        "Hermes relay socket closed (" + code + (reason == null || reason.isEmpty() ? "" : " " + reason)
                                + "); waiting for it to dial in again");
            }
            LOG.info("hermes relay: {} closed ({} {})", session, code, reason);
        }
    }

    private static String text(Json a, String field) {
        Json v = a.get(field);
        return v != null && v.isTextual() ? v.asText() : "";
    }

    private static String nullable(Json a, String field) {
        Json v = a.get(field);
        return v != null && v.isValueNode() && !v.isNull() && !v.asText().isEmpty() ? v.asText() : null;
    }
}
