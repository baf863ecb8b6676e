package io.k8s4claw.channel.sdk;

import io.k8s4claw.api.bus.BusProtocol;
import io.k8s4claw.api.bus.v1.Ack;
import io.k8s4claw.api.bus.v1.ApprovalAnswer;
import io.k8s4claw.api.bus.v1.ChannelCapabilities;
import io.k8s4claw.api.bus.v1.Drain;
import io.k8s4claw.api.bus.v1.Error;
import io.k8s4claw.api.bus.v1.FlowControl;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Heartbeat;
import io.k8s4claw.api.bus.v1.Hello;
import io.k8s4claw.api.bus.v1.Nack;
import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.ReplyAck;
import io.k8s4claw.api.bus.v1.Sender;
import io.k8s4claw.api.bus.v1.StopRequest;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.api.bus.v1.Welcome;
import io.k8s4claw.api.retry.Backoff;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The channel side of the claw bus: one connection to the bridge over a Unix domain socket.
 *
 * <pre>{@code
 * BusClient bus = BusClient.builder()
 *     .socketPath(Path.of("/var/run/claw/bus.sock"))
 *     .channel("slack-team", "slack")
 *     .capabilities(caps)
 *     .replyHandler(reply -> postToPlatform(reply))   // returns CompletionStage<ReplyOutcome>
 *     .build();
 * bus.start();
 * bus.publish(userMessage).thenAccept(ok -> confirmToPlatform());   // completes on the bridge's Ack
 * ...
 * bus.close(Duration.ofSeconds(10));                                 // drain
 * }</pre>
 *
 * <p>Behaviour: {@link #start()} returns at once; the client dials, registers (Hello/Welcome with
 * version negotiation) and re-dials forever with jittered exponential backoff. Messages published while
 * the bridge is away wait in a bounded buffer and are sent, in order, once registered; messages sent
 * but not acknowledged when a connection drops are sent again on the next one (the bridge deduplicates
 * by message id). At most {@code window} messages are un-acknowledged at once (from Welcome and
 * FlowControl). Retryable Nacks are retried after the bridge's {@code retry_after_ms} up to
 * {@code maxPublishAttempts}. Heartbeats keep the link checked; three silent intervals end it.
 *
 * <p>Thread-safe. Callbacks ({@link ReplyHandler}, {@link BusListener}) run on virtual threads.
 */
public final class BusClient implements AutoCloseable {
    static final int DEFAULT_MAX_FRAME_BYTES = BusProtocol.DEFAULT_MAX_FRAME_BYTES;
    /** Handled replies remembered (in memory and in the ledger file) to re-ack a resend instead of redelivering it. */
    static final int LEDGER_CAPACITY = 4096;

    private static final System.Logger LOG = System.getLogger(BusClient.class.getName());

    private final Path socketPath;
    private final String channelName;
    private final String channelType;
    private final String instanceId;
    private final String sidecarVersion;
    private final ChannelCapabilities capabilities;
    private final ReplyHandler replyHandler;
    private final BusListener listener;
    private final int bufferCapacity;
    private final Backoff backoff;
    private final int maxPublishAttempts;
    private final Duration welcomeTimeout;

    private final Object lock = new Object();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final LinkedHashMap<String, Pending> inflight = new LinkedHashMap<>();
    private final Map<String, Pending> byId = new HashMap<>();
    private final Map<String, CompletableFuture<Void>> conversationTails = new HashMap<>();
    private final ReplyLedger ledger;
    private final ScheduledExecutorService timer;
    private final ExecutorService callbacks = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong heartbeatNonce = new AtomicLong();

    // guarded by lock
    private ConnectionState state = ConnectionState.NEW;
    private BusConnection connection;
    private int window = 1;
    private boolean pausedByBridge;
    private boolean bridgeDraining;
    private boolean repliesPaused;
    private String repliesPausedReason = "";
    private int handlersRunning;
    private String lastDisconnectReason = "not connected yet";
    private Thread ioThread;

    private BusClient(Builder b) {
        this.socketPath = Objects.requireNonNull(b.socketPath, "socketPath");
        this.channelName = requireText(b.channelName, "channelName");
        this.channelType = requireText(b.channelType, "channelType");
        this.instanceId =
                b.instanceId != null ? b.instanceId : UUID.randomUUID().toString();
        this.sidecarVersion = b.sidecarVersion;
        this.capabilities = b.capabilities != null ? b.capabilities : ChannelCapabilities.getDefaultInstance();
        this.replyHandler = Objects.requireNonNull(b.replyHandler, "replyHandler");
        this.listener = b.listener != null ? b.listener : new BusListener() {};
        if (b.bufferCapacity < 1) throw new IllegalArgumentException("bufferCapacity must be >= 1");
        this.bufferCapacity = b.bufferCapacity;
        this.backoff = b.backoff;
        this.maxPublishAttempts = Math.max(1, b.maxPublishAttempts);
        this.welcomeTimeout = b.welcomeTimeout;
        this.ledger = new ReplyLedger(
                LEDGER_CAPACITY,
                b.lastReplySeq,
                b.replyLedgerFile == null ? null : new ReplyLedgerFile(b.replyLedgerFile, 2 * LEDGER_CAPACITY));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "claw-bus-timer-" + channelName);
            t.setDaemon(true);
            return t;
        });
    }

    private static String requireText(String v, String name) {
        if (v == null || v.isBlank()) throw new IllegalArgumentException(name + " must not be empty");
        return v;
    }

    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ public API

    /** Starts connecting in the background; returns at once. */
    public void start() {
        synchronized (lock) {
            if (state != ConnectionState.NEW) throw new IllegalStateException("already started");
            state = ConnectionState.CONNECTING;
            ioThread = Thread.ofPlatform()
                    .name("claw-bus-" + channelName)
                    .daemon(true)
                    .start(this::connectLoop);
        }
    }

    /**
     * Publishes a user message. The stage completes when the bridge acknowledged it (durably stored),
     * or fails with a {@link PublishException}: refused by the bridge (reason, retryable, text for the
     * user), the local buffer is full, or the client closed. Publishing the same message id again while
     * it is pending returns the same stage.
     */
    public CompletionStage<PublishResult> publish(UserMessage message) {
        Objects.requireNonNull(message, "message");
        if (message.getMessageId().isEmpty()) {
            return CompletableFuture.failedFuture(new PublishException(
                    "", PublishException.Reason.INVALID, false, null, "UserMessage.message_id is empty", ""));
        }
        List<Frame.Builder> toSend;
        BusConnection conn;
        Pending p;
        synchronized (lock) {
            Pending existing = byId.get(message.getMessageId());
            if (existing != null) return existing.future.minimalCompletionStage();
            if (state == ConnectionState.CLOSED
                    || state == ConnectionState.FAILED
                    || state == ConnectionState.DRAINING) {
                return CompletableFuture.failedFuture(new PublishException(
                        message.getMessageId(),
                        PublishException.Reason.CLOSED,
                        state == ConnectionState.DRAINING,
                        null,
                        "bus client is " + state,
                        ""));
            }
            if (byId.size() >= bufferCapacity) {
                return CompletableFuture.failedFuture(new PublishException(
                        message.getMessageId(),
                        PublishException.Reason.BUFFER_FULL,
                        true,
                        Duration.ofSeconds(1),
                        bufferCapacity + " messages already waiting for the bridge (" + lastDisconnectReason + ")",
                        ""));
            }
            int size = message.getSerializedSize() + 16;
            int max = connection != null ? connection.maxFrameBytes() : DEFAULT_MAX_FRAME_BYTES;
            if (size > max) {
                return CompletableFuture.failedFuture(new PublishException(
                        message.getMessageId(),
                        PublishException.Reason.INVALID,
                        false,
                        null,
                        "message of about " + size + " bytes exceeds the bus frame limit of " + max + " bytes",
                        ""));
            }
            p = new Pending(message);
            byId.put(message.getMessageId(), p);
            queue.add(p);
            toSend = pumpLocked();
            conn = connection;
        }
        sendAll(conn, toSend);
        return p.future.minimalCompletionStage();
    }

    /**
     * Takes back a pending message that no bridge can have stored: it was never written to a connection, or
     * every copy written was refused (Nack). Its stage then fails with {@link PublishException.Reason#WITHDRAWN}
     * and it is never sent. Returns false, changing nothing, when the message is not pending (already
     * acknowledged or failed) or a written copy is still unanswered, i.e. the bridge may have stored it.
     */
    public boolean withdraw(String messageId) {
        Pending p;
        synchronized (lock) {
            p = byId.get(messageId);
            if (p == null || p.mayBeStored()) return false;
            byId.remove(messageId);
            queue.remove(p);
            lock.notifyAll();
        }
        p.future.completeExceptionally(new PublishException(
                messageId,
                PublishException.Reason.WITHDRAWN,
                true,
                null,
                "withdrawn before it was sent to the bridge",
                ""));
        return true;
    }

    /** Sends the user's answer to an approval request; fails when the bridge is not connected. */
    public CompletionStage<Void> answerApproval(String streamId, String approvalId, String choice, Sender sender) {
        BusConnection conn;
        synchronized (lock) {
            conn = state == ConnectionState.CONNECTED ? connection : null;
        }
        if (conn == null) {
            return CompletableFuture.failedFuture(
                    new IOException("bridge not connected; the approval answer was not sent"));
        }
        try {
            conn.send(Frame.newBuilder()
                    .setApprovalAnswer(ApprovalAnswer.newBuilder()
                            .setStreamId(streamId)
                            .setApprovalId(approvalId)
                            .setChoice(choice)
                            .setSender(sender)));
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Asks the bridge to stop the agent's reply in progress in this conversation (the user's /stop). Not durable:
     * fails when the bridge is not connected (a stop sent later could hit a later run). The stopped run ends
     * with its own {@code ReplyError} ({@code run_cancelled}); nothing running → nothing happens. See the bus
     * protocol's StopRequest.
     */
    public CompletionStage<Void> stop(String conversationId, String threadId, Sender sender) {
        BusConnection conn;
        synchronized (lock) {
            conn = state == ConnectionState.CONNECTED ? connection : null;
        }
        if (conn == null) {
            return CompletableFuture.failedFuture(
                    new IOException("bridge not connected; the stop request was not sent"));
        }
        try {
            conn.send(Frame.newBuilder()
                    .setStopRequest(StopRequest.newBuilder()
                            .setConversationId(conversationId)
                            .setThreadId(threadId == null ? "" : threadId)
                            .setSender(sender)));
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Asks the bridge to hold replies (e.g. the platform rate-limits us). Remembered across reconnects. */
    public void pauseReplies(String reason) {
        setRepliesPaused(true, reason);
    }

    public void resumeReplies() {
        setRepliesPaused(false, "");
    }

    private void setRepliesPaused(boolean paused, String reason) {
        BusConnection conn;
        synchronized (lock) {
            if (repliesPaused == paused) return;
            repliesPaused = paused;
            repliesPausedReason = reason == null ? "" : reason;
            conn = state == ConnectionState.CONNECTED ? connection : null;
        }
        if (conn != null) {
            sendQuietly(
                    conn,
                    Frame.newBuilder()
                            .setFlowControl(
                                    FlowControl.newBuilder().setPaused(paused).setReason(repliesPausedReason)));
        }
    }

    public ConnectionState state() {
        synchronized (lock) {
            return state;
        }
    }

    public boolean isConnected() {
        return state() == ConnectionState.CONNECTED;
    }

    /** Messages published but not yet acknowledged by the bridge (buffered + in flight). */
    public int pendingMessages() {
        synchronized (lock) {
            return byId.size();
        }
    }

    /** Highest reply seq at or below which every received reply was handled (what the next Hello sends). */
    public long lastReplySeq() {
        synchronized (lock) {
            return ledger.lastReplySeq();
        }
    }

    /**
     * Drains and closes: tells the bridge (Drain), stops taking new messages, waits up to {@code grace}
     * for pending messages to be acknowledged and running reply handlers to finish, then closes the
     * socket. Anything still pending then fails with {@link PublishException.Reason#CLOSED} (never written to the
     * bridge) or {@link PublishException.Reason#UNCONFIRMED} (written, unanswered: the bridge may have stored it).
     */
    public void close(Duration grace) {
        BusConnection conn;
        synchronized (lock) {
            if (state == ConnectionState.CLOSED) return;
            boolean wasConnected = state == ConnectionState.CONNECTED;
            state = ConnectionState.DRAINING;
            conn = wasConnected ? connection : null;
        }
        if (conn != null) {
            sendQuietly(
                    conn,
                    Frame.newBuilder()
                            .setDrain(Drain.newBuilder()
                                    .setReason("channel sidecar shutting down")
                                    .setDeadlineMs((int) Math.min(Integer.MAX_VALUE, grace.toMillis()))));
        }
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (lock) {
            while ((!byId.isEmpty() && connection != null) || handlersRunning > 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) break;
                try {
                    lock.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            state = ConnectionState.CLOSED;
            conn = connection;
            connection = null;
            failAllLocked(PublishException.Reason.CLOSED, "bus client closed before the bridge acknowledged it");
            if (ioThread != null) ioThread.interrupt();
        }
        if (conn != null) conn.close();
        synchronized (lock) {
            ledger.close();
        }
        timer.shutdownNow();
        callbacks.shutdown();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    // ------------------------------------------------------------------ connection loop

    private void connectLoop() {
        int attempt = 0;
        while (true) {
            synchronized (lock) {
                if (state == ConnectionState.CLOSED || state == ConnectionState.FAILED) return;
            }
            BusConnection conn = null;
            boolean registered = false;
            try {
                conn = BusConnection.open(UnixDomainSocketAddress.of(socketPath), DEFAULT_MAX_FRAME_BYTES);
                registered = runConnection(conn);
            } catch (IOException e) {
                noteDisconnect(conn, "bus connection to " + socketPath + " failed: " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "bus client " + channelName + ": unexpected error, reconnecting", e);
                noteDisconnect(conn, "unexpected error: " + e);
            }
            if (conn != null) conn.close();
            attempt = registered ? 1 : attempt + 1;
            synchronized (lock) {
                if (state == ConnectionState.CLOSED || state == ConnectionState.FAILED) return;
            }
            Duration delay = backoff.delay(attempt);
            LOG.log(
                    Level.DEBUG,
                    "bus client {0}: reconnecting in {1} ms",
                    channelName,
                    String.valueOf(delay.toMillis()));
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                return; // close()
            }
        }
    }

    /** Registers on {@code conn} and serves it until it ends. Returns whether registration succeeded. */
    private boolean runConnection(BusConnection conn) throws IOException {
        long lastReplySeq;
        synchronized (lock) {
            lastReplySeq = ledger.lastReplySeq();
        }
        Hello.Builder hello = Hello.newBuilder()
                .setMinVersion(BusProtocol.MIN_SUPPORTED_VERSION)
                .setMaxVersion(BusProtocol.MAX_SUPPORTED_VERSION)
                .setChannelName(channelName)
                .setChannelType(channelType)
                .setInstanceId(instanceId)
                .setCapabilities(capabilities)
                .setLastReplySeq(lastReplySeq);
        if (sidecarVersion != null) hello.setSidecarVersion(sidecarVersion);
        conn.send(Frame.newBuilder().setHello(hello));

        ScheduledFuture<?> welcomeTimer = timer.schedule(
                () -> {
                    if (!conn.registered()) {
                        noteDisconnect(conn, "no Welcome from the bridge within " + welcomeTimeout.toMillis() + " ms");
                        conn.close();
                    }
                },
                welcomeTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
        Frame first;
        try {
            first = conn.read();
        } finally {
            welcomeTimer.cancel(false);
        }
        if (first == null) throw new IOException("bridge closed the connection before its Welcome");
        if (first.hasError()) {
            handleError(conn, first.getError());
            return false;
        }
        if (!first.hasWelcome()) throw new IOException("bridge sent " + first.getBodyCase() + " before its Welcome");
        Welcome welcome = first.getWelcome();
        if (welcome.getVersion() < BusProtocol.MIN_SUPPORTED_VERSION
                || welcome.getVersion() > BusProtocol.MAX_SUPPORTED_VERSION) {
            fail("bridge chose bus protocol version " + welcome.getVersion() + " but this sidecar speaks "
                    + BusProtocol.MIN_SUPPORTED_VERSION + ".." + BusProtocol.MAX_SUPPORTED_VERSION
                    + "; use a channel sidecar image matching the bridge");
            return false;
        }
        conn.markRegistered(welcome.getMaxFrameBytes() > 0 ? welcome.getMaxFrameBytes() : DEFAULT_MAX_FRAME_BYTES);
        List<Frame.Builder> toSend;
        boolean pauseReplies;
        String pauseReason;
        synchronized (lock) {
            if (state == ConnectionState.CLOSED || state == ConnectionState.FAILED) return true;
            connection = conn;
            if (state == ConnectionState.CONNECTING) state = ConnectionState.CONNECTED;
            window = welcome.getWindow() == 0 ? BusProtocol.DEFAULT_WINDOW : welcome.getWindow();
            pausedByBridge = false;
            bridgeDraining = false;
            // Messages sent on the previous connection but never acked go first, in their original order.
            List<Pending> resend = new ArrayList<>(inflight.values());
            inflight.clear();
            for (int i = resend.size() - 1; i >= 0; i--) queue.addFirst(resend.get(i));
            toSend = pumpLocked();
            pauseReplies = repliesPaused;
            pauseReason = repliesPausedReason;
        }
        LOG.log(
                Level.INFO,
                "bus client {0}: registered with the bridge (session {1}, window {2})",
                channelName,
                welcome.getSessionId(),
                String.valueOf(welcome.getWindow()));
        if (pauseReplies) {
            conn.send(Frame.newBuilder()
                    .setFlowControl(FlowControl.newBuilder().setPaused(true).setReason(pauseReason)));
        }
        sendAll(conn, toSend);
        runCallback(() -> listener.connected(welcome));

        long intervalMs = welcome.getHeartbeatIntervalMs() > 0
                ? welcome.getHeartbeatIntervalMs()
                : BusProtocol.DEFAULT_HEARTBEAT_INTERVAL_MS;
        ScheduledFuture<?> heartbeat = timer.scheduleAtFixedRate(
                () -> heartbeat(conn, intervalMs), intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        try {
            Frame frame;
            while ((frame = conn.read()) != null) {
                dispatch(conn, frame);
            }
            noteDisconnect(conn, "bridge closed the connection");
        } catch (IOException e) {
            noteDisconnect(conn, "bus connection lost: " + e.getMessage());
        } finally {
            heartbeat.cancel(false);
        }
        return true;
    }

    private void heartbeat(BusConnection conn, long intervalMs) {
        long silentMs = conn.millisSinceLastRead();
        if (silentMs > BusProtocol.MISSED_HEARTBEATS_BEFORE_DEAD * intervalMs) {
            noteDisconnect(
                    conn,
                    "bridge silent for " + silentMs + " ms (" + BusProtocol.MISSED_HEARTBEATS_BEFORE_DEAD
                            + " heartbeat intervals)");
            conn.close();
            return;
        }
        sendQuietly(
                conn,
                Frame.newBuilder()
                        .setHeartbeat(Heartbeat.newBuilder()
                                .setNonce(heartbeatNonce.incrementAndGet())
                                .setSentAtUnixMs(System.currentTimeMillis())));
    }

    private void dispatch(BusConnection conn, Frame frame) throws IOException {
        switch (frame.getBodyCase()) {
            case ACK -> onAck(conn, frame.getAck());
            case NACK -> onNack(conn, frame.getNack());
            case REPLY -> onReply(frame.getReply());
            case FLOW_CONTROL -> onFlowControl(conn, frame.getFlowControl());
            case HEARTBEAT -> {
                Heartbeat hb = frame.getHeartbeat();
                if (!hb.getResponse()) {
                    conn.send(Frame.newBuilder()
                            .setHeartbeat(Heartbeat.newBuilder()
                                    .setNonce(hb.getNonce())
                                    .setResponse(true)
                                    .setSentAtUnixMs(System.currentTimeMillis())));
                }
            }
            case DRAIN -> {
                LOG.log(
                        Level.INFO,
                        "bus client {0}: bridge is draining ({1}); holding new messages until it is back",
                        channelName,
                        frame.getDrain().getReason());
                synchronized (lock) {
                    bridgeDraining = true;
                }
            }
            case ERROR -> handleError(conn, frame.getError());
            case WELCOME -> LOG.log(Level.WARNING, "bus client {0}: ignoring a second Welcome", channelName);
            default ->
                conn.send(Frame.newBuilder()
                        .setError(Error.newBuilder()
                                .setCode(Error.Code.UNSUPPORTED_FRAME)
                                .setRefSeq(frame.getSeq())
                                .setMessage("a channel sidecar does not accept " + frame.getBodyCase() + " frames")));
        }
    }

    private void onAck(BusConnection conn, Ack ack) {
        Pending p;
        List<Frame.Builder> toSend;
        synchronized (lock) {
            p = inflight.remove(ack.getMessageId());
            if (p != null) byId.remove(ack.getMessageId());
            toSend = pumpLocked();
            lock.notifyAll();
        }
        // Only an Ack to the first write can report an earlier publish; after a resend, "duplicate" may be our own
        // copy.
        if (p != null) p.future.complete(new PublishResult(ack.getMessageId(), ack.getDuplicate() && p.writes == 1));
        sendAll(conn, toSend);
    }

    private void onNack(BusConnection conn, Nack nack) {
        Pending p;
        List<Frame.Builder> toSend;
        boolean retry;
        synchronized (lock) {
            p = inflight.remove(nack.getMessageId());
            if (p != null) p.refusedWrites = p.writes;
            retry = p != null
                    && nack.getRetryable()
                    && ++p.attempts < maxPublishAttempts
                    && state != ConnectionState.DRAINING;
            if (p != null && !retry) byId.remove(nack.getMessageId());
            toSend = pumpLocked();
            lock.notifyAll();
        }
        if (p == null) {
            runCallback(() -> listener.lateNack(nack));
        } else if (retry) {
            long delay =
                    Math.max(nack.getRetryAfterMs(), backoff.delay(p.attempts).toMillis());
            LOG.log(
                    Level.DEBUG,
                    "bus client {0}: message {1} nacked ({2}), retrying in {3} ms",
                    channelName,
                    nack.getMessageId(),
                    nack.getReason(),
                    String.valueOf(delay));
            Pending retried = p;
            timer.schedule(() -> requeue(retried), delay, TimeUnit.MILLISECONDS);
        } else {
            p.future.completeExceptionally(new PublishException(
                    nack.getMessageId(),
                    reasonOf(nack.getReason()),
                    nack.getRetryable(),
                    Duration.ofMillis(nack.getRetryAfterMs()),
                    nack.getDetail(),
                    nack.getUserVisibleText()));
        }
        sendAll(conn, toSend);
    }

    private void requeue(Pending p) {
        List<Frame.Builder> toSend;
        BusConnection conn;
        synchronized (lock) {
            if (byId.get(p.message.getMessageId()) != p) return; // failed by close()
            queue.addFirst(p);
            toSend = pumpLocked();
            conn = connection;
        }
        sendAll(conn, toSend);
    }

    private static PublishException.Reason reasonOf(Nack.Reason r) {
        return switch (r) {
            case INVALID -> PublishException.Reason.INVALID;
            case OVERLOADED -> PublishException.Reason.OVERLOADED;
            case STORAGE_FAILED -> PublishException.Reason.STORAGE_FAILED;
            case DRAINING -> PublishException.Reason.DRAINING;
            case DEAD_LETTERED -> PublishException.Reason.DEAD_LETTERED;
            case RUNTIME_REJECTED -> PublishException.Reason.RUNTIME_REJECTED;
            default -> PublishException.Reason.UNSPECIFIED;
        };
    }

    private void onFlowControl(BusConnection conn, FlowControl fc) {
        List<Frame.Builder> toSend;
        synchronized (lock) {
            pausedByBridge = fc.getPaused();
            if (fc.getWindow() > 0) window = fc.getWindow();
            toSend = pumpLocked();
        }
        if (fc.getPaused()) {
            LOG.log(Level.INFO, "bus client {0}: bridge paused publishing ({1})", channelName, fc.getReason());
        }
        sendAll(conn, toSend);
    }

    private void handleError(BusConnection conn, Error error) throws IOException {
        String text = "bridge error " + error.getCode() + ": " + error.getMessage();
        switch (error.getCode()) {
            case REPLACED ->
                fail(text + " — another instance registered channel '" + channelName
                        + "'; this one stops (two sidecars for one channel would split its traffic)");
            case UNSUPPORTED_VERSION -> fail(text + " — upgrade the channel sidecar image to match the bridge");
            default -> {
                LOG.log(error.getFatal() ? Level.ERROR : Level.WARNING, "bus client {0}: {1}", channelName, text);
                if (error.getFatal()) throw new IOException(text);
            }
        }
    }

    private void fail(String why) {
        BusConnection conn;
        synchronized (lock) {
            if (state == ConnectionState.CLOSED) return;
            state = ConnectionState.FAILED;
            conn = connection;
            connection = null;
            failAllLocked(PublishException.Reason.CLOSED, why);
            lock.notifyAll();
        }
        LOG.log(Level.ERROR, "bus client {0}: stopped: {1}", channelName, why);
        if (conn != null) conn.close();
        runCallback(() -> listener.failed(why));
    }

    private void noteDisconnect(BusConnection conn, String why) {
        boolean wasCurrent;
        synchronized (lock) {
            wasCurrent = conn != null && connection == conn;
            if (wasCurrent) {
                connection = null;
                if (state == ConnectionState.CONNECTED) state = ConnectionState.CONNECTING;
            }
            if (!why.equals(lastDisconnectReason)) {
                LOG.log(wasCurrent ? Level.WARNING : Level.DEBUG, "bus client {0}: {1}", channelName, why);
            }
            lastDisconnectReason = why;
            lock.notifyAll();
        }
        if (wasCurrent) runCallback(() -> listener.disconnected(why));
    }

    // ------------------------------------------------------------------ replies

    private void onReply(Reply reply) {
        long seq = reply.getReplySeq();
        CompletableFuture<Void> previous;
        CompletableFuture<Void> done = new CompletableFuture<>();
        String key = reply.getConversationId() + '\u0000' + reply.getThreadId();
        long fingerprint = ReplyLedger.fingerprint(reply);
        ReplyAck again = null;
        BusConnection conn;
        synchronized (lock) {
            conn = connection;
            switch (ledger.arrived(seq, fingerprint)) {
                case ALREADY_ACKED -> again = ledger.ackFor(seq);
                case IN_PROGRESS -> {
                    return; // acked on the current connection when the running handler finishes
                }
                case NEW -> {}
            }
            if (again == null) {
                handlersRunning++;
                previous = conversationTails.getOrDefault(key, CompletableFuture.completedFuture(null));
                conversationTails.put(key, done);
            } else {
                previous = null;
            }
        }
        if (again != null) {
            sendQuietly(conn, Frame.newBuilder().setReplyAck(again));
            return;
        }
        previous.whenComplete((v, t) -> callbacks.execute(() -> {
            CompletionStage<ReplyOutcome> stage;
            try {
                stage = Objects.requireNonNull(replyHandler.handle(reply), "ReplyHandler returned null");
            } catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e);
            }
            stage.whenComplete((outcome, err) -> finishReply(reply, key, done, outcome, err));
        }));
    }

    private void finishReply(
            Reply reply, String key, CompletableFuture<Void> done, ReplyOutcome outcome, Throwable err) {
        ReplyAck.Builder ack = ReplyAck.newBuilder().setReplySeq(reply.getReplySeq());
        if (err != null) {
            LOG.log(
                    Level.ERROR,
                    "bus client " + channelName + ": reply handler failed for reply " + reply.getReplySeq(),
                    err);
            ack.setOk(false)
                    .setError("handler_failed: " + err.getClass().getSimpleName())
                    .setRetryable(false);
        } else if (outcome instanceof ReplyOutcome.Delivered d) {
            ack.setOk(true).addAllPlatformMessageIds(d.platformMessageIds());
        } else if (outcome instanceof ReplyOutcome.Failed f) {
            ack.setOk(false).setError(f.error()).setRetryable(f.retryable());
        } else {
            ack.setOk(false).setError("handler returned no outcome").setRetryable(false);
        }
        ReplyAck built = ack.build();
        BusConnection conn;
        synchronized (lock) {
            if (!(!built.getOk() && built.getRetryable())) {
                ledger.handled(built);
            } else {
                // A retryable failure is not "handled": forget it so the bridge's resend is handled again.
                ledger.forget(reply.getReplySeq());
            }
            handlersRunning--;
            if (conversationTails.get(key) == done) conversationTails.remove(key);
            conn = connection;
            lock.notifyAll();
        }
        done.complete(null);
        sendQuietly(conn, Frame.newBuilder().setReplyAck(built));
    }

    // ------------------------------------------------------------------ helpers

    /** Moves queued messages into flight as the window allows; returns the frames to write (outside the lock). */
    private List<Frame.Builder> pumpLocked() {
        if (connection == null || pausedByBridge || bridgeDraining || state == ConnectionState.FAILED) return List.of();
        List<Frame.Builder> out = null;
        while (inflight.size() < window && !queue.isEmpty()) {
            Pending p = queue.poll();
            inflight.put(p.message.getMessageId(), p);
            p.writes++;
            if (out == null) out = new ArrayList<>();
            out.add(Frame.newBuilder().setUserMessage(p.message));
        }
        return out == null ? List.of() : out;
    }

    private void failAllLocked(PublishException.Reason reason, String detail) {
        for (Iterator<Pending> it = byId.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            PublishException.Reason why = p.mayBeStored() ? PublishException.Reason.UNCONFIRMED : reason;
            p.future.completeExceptionally(
                    new PublishException(p.message.getMessageId(), why, false, null, detail, ""));
            it.remove();
        }
        queue.clear();
        inflight.clear();
    }

    private void sendAll(BusConnection conn, List<Frame.Builder> frames) {
        if (conn == null || frames.isEmpty()) return;
        try {
            conn.sendAll(frames);
        } catch (IOException e) {
            noteDisconnect(conn, "write to bridge failed: " + e.getMessage());
            conn.close(); // the reader sees it and the loop reconnects; in-flight messages are resent
        }
    }

    private void sendQuietly(BusConnection conn, Frame.Builder frame) {
        if (conn == null) return;
        sendAll(conn, List.of(frame));
    }

    private void runCallback(Runnable r) {
        try {
            callbacks.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "bus listener threw", e);
                }
            });
        } catch (RejectedExecutionException ignored) {
            // closed
        }
    }

    private static final class Pending {
        final UserMessage message;
        final CompletableFuture<PublishResult> future = new CompletableFuture<>();
        int attempts;
        /** Times the message was handed to a connection (guarded by the client's lock). */
        int writes;
        /** {@link #writes} when the bridge last refused it: every copy up to then was not stored. */
        int refusedWrites;

        Pending(UserMessage message) {
            this.message = message;
        }

        /** A copy was written to a bridge and not refused since: the bridge may have stored it. */
        boolean mayBeStored() {
            return writes > refusedWrites;
        }
    }

    /** Configures a {@link BusClient}. Only socket path, channel name/type and reply handler are required. */
    public static final class Builder {
        private Path socketPath;
        private String channelName;
        private String channelType;
        private String instanceId;
        private String sidecarVersion;
        private ChannelCapabilities capabilities;
        private ReplyHandler replyHandler;
        private BusListener listener;
        private int bufferCapacity = 1024;
        private Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));
        private int maxPublishAttempts = 5;
        private long lastReplySeq;
        private Duration welcomeTimeout = Duration.ofSeconds(10);
        private Path replyLedgerFile;

        private Builder() {}

        /** The bridge's Unix socket ({@code CLAW_BUS_SOCKET}, usually /var/run/claw/bus.sock). */
        public Builder socketPath(Path socketPath) {
            this.socketPath = socketPath;
            return this;
        }
        /** The ClawChannel's name and type (slack, discord, telegram, webhook, custom ...). */
        public Builder channel(String name, String type) {
            this.channelName = name;
            this.channelType = type;
            return this;
        }
        /** Pod-unique id of this process; a random UUID by default. */
        public Builder instanceId(String instanceId) {
            this.instanceId = instanceId;
            return this;
        }

        public Builder sidecarVersion(String version) {
            this.sidecarVersion = version;
            return this;
        }
        /** Message length limits and features the bridge uses to shape replies. */
        public Builder capabilities(ChannelCapabilities capabilities) {
            this.capabilities = capabilities;
            return this;
        }

        public Builder replyHandler(ReplyHandler handler) {
            this.replyHandler = handler;
            return this;
        }

        public Builder listener(BusListener listener) {
            this.listener = listener;
            return this;
        }
        /** How many messages may wait for the bridge's ack (buffered + in flight); default 1024. */
        public Builder bufferCapacity(int capacity) {
            this.bufferCapacity = capacity;
            return this;
        }
        /** Reconnect and retry backoff; default 100 ms doubling to 10 s, jittered. */
        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff);
            return this;
        }
        /** Attempts per message when the bridge answers with retryable Nacks; default 5. */
        public Builder maxPublishAttempts(int attempts) {
            this.maxPublishAttempts = attempts;
            return this;
        }
        /** Resume point when the sidecar persisted one (0 = let the bridge resend everything unacknowledged). */
        public Builder lastReplySeq(long seq) {
            this.lastReplySeq = seq;
            return this;
        }

        public Builder welcomeTimeout(Duration timeout) {
            this.welcomeTimeout = timeout;
            return this;
        }
        /**
         * A file that records the replies this channel handled, on a volume that outlives the process: after a
         * restart, a reply the bridge resends that was already delivered is acknowledged from it, not delivered
         * again. Without it the record is in memory only.
         */
        public Builder replyLedgerFile(Path file) {
            this.replyLedgerFile = file;
            return this;
        }

        public BusClient build() {
            return new BusClient(this);
        }
    }
}
