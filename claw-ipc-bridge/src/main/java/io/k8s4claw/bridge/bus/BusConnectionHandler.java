package io.k8s4claw.bridge.bus;

import io.k8s4claw.api.bus.BusFrames;
import io.k8s4claw.api.bus.BusFramingException;
import io.k8s4claw.api.bus.BusProtocol;
import io.k8s4claw.api.bus.DecodeResult;
import io.k8s4claw.api.bus.v1.ApprovalAnswer;
import io.k8s4claw.api.bus.v1.Error;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Hello;
import io.k8s4claw.api.bus.v1.Nack;
import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.StopRequest;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.bridge.delivery.AcceptResult;
import io.k8s4claw.bridge.delivery.InboundService;
import io.k8s4claw.bridge.ops.BridgeMetrics;
import io.k8s4claw.bridge.reply.ReplyService;
import io.k8s4claw.bridge.reply.SidecarLink;
import io.k8s4claw.bridge.runtime.ChannelAware;
import io.k8s4claw.bridge.runtime.RuntimeConnector;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.SingleThreadEventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.util.OptionalInt;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sidecar's bus connection: registration, then frames. Runs on the connection's event loop; results
 * of durable work (acks) come back from other threads and are written through the channel, which Netty
 * makes thread-safe. Errors on this connection never touch another one.
 */
final class BusConnectionHandler extends SimpleChannelInboundHandler<Object> implements SidecarLink {

    private static final Logger log = LoggerFactory.getLogger(BusConnectionHandler.class);

    private final BusSettings settings;
    private final ChannelRegistry registry;
    private final InboundService inbound;
    private final ReplyService replies;
    private final RuntimeConnector connector;
    private final BridgeMetrics metrics;
    private final NettyFrameDecoder decoder;
    private final BusFrames frames = new BusFrames();
    private final String sessionId = UUID.randomUUID().toString();

    private Channel channel;
    /** Frames encoded on the event loop and not yet handed to the channel (see {@link #queue}). */
    private ByteBuf out;
    /** A flush is scheduled for the end of the loop's iteration (event loop only). */
    private boolean flushRequested;

    private volatile String channelName;
    private String channelType = "";
    private int unacked; // event loop only
    /** Acks ({@link AckFrame}) and Nacks ({@link Frame}) waiting for {@link #writeAnswers}. */
    private final Queue<Object> answers = new ConcurrentLinkedQueue<>();

    private final AtomicBoolean answersScheduled = new AtomicBoolean();
    private volatile boolean closing;

    BusConnectionHandler(
            BusSettings settings,
            ChannelRegistry registry,
            InboundService inbound,
            ReplyService replies,
            RuntimeConnector connector,
            BridgeMetrics metrics,
            NettyFrameDecoder decoder) {
        this.settings = settings;
        this.registry = registry;
        this.inbound = inbound;
        this.replies = replies;
        this.connector = connector;
        this.metrics = metrics;
        this.decoder = decoder;
    }

    String channelName() {
        return channelName;
    }

    Channel nettyChannel() {
        return channel;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object decoded) {
        if (decoded instanceof UserMessageFrame um) {
            if (channelName == null) {
                send(frames.error(
                        Error.Code.NOT_REGISTERED,
                        "send Hello first; got USER_MESSAGE (frame seq " + um.seq() + ") before registration",
                        um.seq(),
                        false));
            } else {
                onUserMessage(um.seq(), um.message(), um.bytes());
            }
            return;
        }
        DecodeResult result = (DecodeResult) decoded;
        if (result instanceof DecodeResult.Malformed m) {
            log.atWarn()
                    .addKeyValue("channel", channelName)
                    .addKeyValue("reason", m.reason())
                    .log("malformed bus frame; answered, connection kept");
            send(frames.error(Error.Code.MALFORMED_FRAME, m.reason(), 0, false));
            return;
        }
        Frame f = ((DecodeResult.Decoded) result).frame();
        if (channelName == null) {
            if (f.getBodyCase() == Frame.BodyCase.HELLO) {
                onHello(ctx, f.getSeq(), f.getHello());
            } else {
                send(frames.error(
                        Error.Code.NOT_REGISTERED,
                        "send Hello first; got " + f.getBodyCase() + " (frame seq " + f.getSeq()
                                + ") before registration",
                        f.getSeq(),
                        false));
            }
            return;
        }
        switch (f.getBodyCase()) {
            case USER_MESSAGE -> onUserMessage(f.getSeq(), f.getUserMessage(), null);
            case REPLY_ACK -> replies.onReplyAck(channelName, f.getReplyAck());
            case FLOW_CONTROL ->
                replies.setPaused(channelName, f.getFlowControl().getPaused());
            case HEARTBEAT -> {
                if (!f.getHeartbeat().getResponse()) {
                    send(frames.heartbeatResponse(f.getHeartbeat(), System.currentTimeMillis()));
                }
            }
            case DRAIN -> {
                log.atInfo()
                        .addKeyValue("channel", channelName)
                        .addKeyValue("reason", f.getDrain().getReason())
                        .log("sidecar is draining; holding replies for its successor");
                replies.setPaused(channelName, true);
            }
            case ERROR ->
                log.atWarn()
                        .addKeyValue("channel", channelName)
                        .addKeyValue("code", f.getError().getCode())
                        .addKeyValue("message", f.getError().getMessage())
                        .log("sidecar reported an error");
            case APPROVAL_ANSWER -> onApprovalAnswer(f.getSeq(), f.getApprovalAnswer());
            case STOP_REQUEST -> onStopRequest(f.getSeq(), f.getStopRequest());
            case HELLO ->
                send(frames.error(
                        Error.Code.INVALID_FIELD,
                        "already registered as channel '" + channelName + "'; reconnect to register again",
                        f.getSeq(),
                        false));
            case BODY_NOT_SET ->
                send(frames.error(
                        Error.Code.UNSUPPORTED_FRAME,
                        "frame seq " + f.getSeq() + " has a body type this bridge does not know",
                        f.getSeq(),
                        false));
            default ->
                send(frames.error(
                        Error.Code.UNSUPPORTED_FRAME,
                        f.getBodyCase() + " is sent by the bridge, not by sidecars",
                        f.getSeq(),
                        false));
        }
    }

    private void onHello(ChannelHandlerContext ctx, long seq, Hello hello) {
        OptionalInt version = BusProtocol.negotiate(hello.getMinVersion(), hello.getMaxVersion());
        if (version.isEmpty()) {
            fatal(frames.error(
                    Error.Code.UNSUPPORTED_VERSION,
                    "sidecar speaks bus versions " + hello.getMinVersion()
                            + ".." + hello.getMaxVersion() + ", this bridge " + BusProtocol.MIN_SUPPORTED_VERSION + ".."
                            + BusProtocol.MAX_SUPPORTED_VERSION + "; upgrade the older side",
                    seq,
                    true));
            return;
        }
        String name = hello.getChannelName();
        if (name.isEmpty()) {
            fatal(frames.error(Error.Code.INVALID_FIELD, "hello.channel_name is empty: set CHANNEL_NAME", seq, true));
            return;
        }
        if (!settings.allowedChannels().isEmpty() && !settings.allowedChannels().contains(name)) {
            fatal(frames.error(
                    Error.Code.INVALID_FIELD,
                    "hello.channel_name '" + name + "' is not one of this pod's channels " + settings.allowedChannels()
                            + " (CLAW_CHANNELS)",
                    seq,
                    true));
            return;
        }
        channelName = name;
        channelType = hello.getChannelType();
        BusConnectionHandler old = registry.register(name, this);
        if (old != null && old != this) {
            replies.detach(name, old);
            old.replaced(hello.getInstanceId());
        }
        send(frames.welcome(
                version.getAsInt(),
                sessionId,
                settings.heartbeatIntervalMs(),
                settings.maxFrameBytes(),
                settings.window(),
                settings.bridgeVersion()));
        decoder.setMaxFrameBytes(settings.maxFrameBytes());
        log.atInfo()
                .addKeyValue("channel", name)
                .addKeyValue("type", channelType)
                .addKeyValue("instance", hello.getInstanceId())
                .addKeyValue("lastReplySeq", hello.getLastReplySeq())
                .addKeyValue("session", sessionId)
                .addKeyValue("replacedOld", old != null)
                .log("sidecar registered");
        if (inbound.saturated()) {
            send(frames.flowControl(true, settings.window(), "backlog to the runtime is full"));
        }
        replies.attach(name, channelType, this, hello.getLastReplySeq());
        if (connector instanceof ChannelAware aware) {
            aware.onChannelRegistered(name, channelType, hello.getCapabilities()); // e.g. relay descriptors
        }
    }

    /** A newer connection registered the same channel name. */
    private void replaced(String newInstance) {
        channel.eventLoop()
                .execute(() -> fatal(frames.error(
                        Error.Code.REPLACED,
                        "a newer connection (instance " + newInstance + ") registered channel '" + channelName + "'",
                        0,
                        true)));
    }

    /** {@code bytes}: the message as received (journaled as is), or null to serialize it. */
    private void onUserMessage(long seq, UserMessage m, byte[] bytes) {
        metrics.messageIn(channelName);
        if (unacked >= settings.window()) {
            nack(
                    m.getMessageId(),
                    Nack.Reason.OVERLOADED,
                    true,
                    200,
                    "more than the window of " + settings.window() + " un-acked messages; wait for acks");
            return;
        }
        unacked++;
        String name = channelName;
        inbound.accept(name, channelType, m, bytes, result -> {
            Object answer;
            if (result instanceof AcceptResult.Acked a) {
                metrics.ack(name, a.duplicate());
                answer = new AckFrame(frames.nextSeq(), m.getMessageId(), a.duplicate());
            } else {
                AcceptResult.Refused r = (AcceptResult.Refused) result;
                metrics.nack(name, r.reason().name());
                answer = frames.nack(
                        m.getMessageId(), r.reason(), r.retryable(), r.retryAfterMs(), r.detail(), r.userVisibleText());
            }
            answers.add(answer);
            if (answersScheduled.compareAndSet(false, true)) {
                channel.eventLoop().execute(this::writeAnswers);
            }
        });
    }

    /** Writes every queued Ack/Nack (typically one group commit's worth) with a single flush. */
    private void writeAnswers() {
        answersScheduled.set(false);
        Object f;
        int n = 0;
        while ((f = answers.poll()) != null) {
            unacked--;
            queue(f);
            n++;
        }
        if (n > 0) {
            flushQueued();
        }
    }

    /**
     * Frames written on the event loop are encoded back to back into one buffer, handed to the channel as one
     * write at the next flush: one allocation and one pass through the pipeline per batch of acks and replies
     * instead of one per frame. Called on the event loop only.
     */
    private void queue(Object frame) {
        if (out == null) {
            out = channel.alloc().ioBuffer(OUT_BUFFER_BYTES);
        }
        try {
            NettyFrameEncoder.encodeTo(frame, out);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("could not encode a bus frame: " + e, e);
        }
        if (out.readableBytes() >= OUT_BUFFER_BYTES - 1024) {
            // Hand a full buffer over (flushed with the rest) rather than growing it: a grown buffer leaves the
            // allocator's pooled sizes and costs a fresh direct allocation every time (see OUT_BUFFER_BYTES).
            channel.write(out, channel.voidPromise());
            out = null;
        }
    }

    /**
     * 16 KiB: the largest size Netty's adaptive allocator pools when the heap is below 512 MiB (the bridge's is
     * 32 MiB); a 32 KiB buffer was a fresh direct allocation each time.
     */
    private static final int OUT_BUFFER_BYTES = 16 << 10;

    /**
     * Flushes at the end of the event loop's current iteration rather than now: the acks of a group commit, the
     * replies the same iteration makes durable and anything else written meanwhile leave in one write — at low
     * load an Ack and its Reply reach the sidecar together instead of waking it twice.
     */
    private void flushQueued() {
        if (flushRequested) {
            return;
        }
        if (channel.eventLoop() instanceof SingleThreadEventLoop loop) {
            flushRequested = true;
            loop.executeAfterEventLoopIteration(flushTask);
        } else {
            flushNow();
        }
    }

    private final Runnable flushTask = this::flushNow;

    private void flushNow() {
        flushRequested = false;
        ByteBuf pending = out;
        out = null;
        if (pending != null) {
            if (pending.isReadable()) {
                channel.write(pending, channel.voidPromise());
            } else {
                pending.release();
            }
        }
        channel.flush();
    }

    private void nack(String messageId, Nack.Reason reason, boolean retryable, int retryAfterMs, String detail) {
        metrics.nack(channelName, reason.name());
        send(frames.nack(messageId, reason, retryable, retryAfterMs, detail, ""));
    }

    private void onApprovalAnswer(long seq, ApprovalAnswer a) {
        connector
                .answerApproval(a.getStreamId(), a.getApprovalId(), a.getChoice())
                .whenComplete((v, err) -> {
                    if (err != null) {
                        log.atWarn()
                                .addKeyValue("channel", channelName)
                                .addKeyValue("stream", a.getStreamId())
                                .addKeyValue("approval", a.getApprovalId())
                                .addKeyValue("error", String.valueOf(err.getMessage()))
                                .log("approval answer not delivered to the runtime");
                        send(frames.error(
                                Error.Code.INVALID_FIELD,
                                "approval answer for " + a.getApprovalId() + " was not accepted by the runtime: "
                                        + err.getMessage(),
                                seq,
                                false));
                    }
                });
    }

    private void onStopRequest(long seq, StopRequest stop) {
        if (stop.getConversationId().isEmpty()) {
            send(frames.error(Error.Code.INVALID_FIELD, "stop request without a conversation_id", seq, false));
            return;
        }
        String name = channelName;
        if (!connector.stopsRuns()) {
            forwardStopCommand(seq, stop);
            return;
        }
        inbound.stop(name, stop.getConversationId(), stop.getThreadId(), stop.getStreamId())
                .whenComplete((stopped, err) -> {
                    if (err != null) {
                        Throwable cause =
                                err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                        log.atWarn()
                                .addKeyValue("channel", name)
                                .addKeyValue("conversation", stop.getConversationId())
                                .addKeyValue("error", String.valueOf(cause.getMessage()))
                                .log("stop request not carried out");
                        send(frames.error(
                                Error.Code.INVALID_FIELD,
                                "stop request for conversation " + stop.getConversationId() + " was not carried out: "
                                        + cause.getMessage(),
                                seq,
                                false));
                    } else if (stopped.isEmpty()) {
                        log.atInfo()
                                .addKeyValue("channel", name)
                                .addKeyValue("conversation", stop.getConversationId())
                                .log("stop request: nothing running in the conversation");
                    }
                });
    }

    /**
     * A runtime that cannot stop a run by reference gets the user's stop as the text {@code /stop}, stored and
     * delivered like any message of the conversation (Hermes's relay reads it as its own command). Its id is this
     * connection's and frame's: a StopRequest is never resent, so it cannot collide with a later one. No Ack: the
     * sidecar sent no UserMessage.
     */
    private void forwardStopCommand(long seq, StopRequest stop) {
        String name = channelName;
        UserMessage command = UserMessage.newBuilder()
                .setMessageId("stop:" + sessionId + ":" + seq)
                .setConversationId(stop.getConversationId())
                .setThreadId(stop.getThreadId())
                .setSender(stop.getSender())
                .setText("/stop")
                .setSentAtUnixMs(System.currentTimeMillis())
                .build();
        inbound.accept(name, channelType, command, null, result -> {
            if (result instanceof AcceptResult.Refused r) {
                log.atWarn()
                        .addKeyValue("channel", name)
                        .addKeyValue("conversation", stop.getConversationId())
                        .addKeyValue("reason", r.reason())
                        .log("stop request not forwarded to the runtime");
                send(frames.error(
                        Error.Code.INVALID_FIELD,
                        "stop request for conversation " + stop.getConversationId() + " was not taken: " + r.detail(),
                        seq,
                        false));
            }
        });
    }

    /** Sends a Nack for an earlier acked message (dead-lettered), if still connected. */
    void sendNack(Nack nack) {
        channel.writeAndFlush(frames.frame(b -> b.setNack(nack)));
    }

    void sendFlowControl(boolean paused, String reason) {
        channel.writeAndFlush(frames.flowControl(paused, settings.window(), reason));
    }

    void sendDrain(String reason, int deadlineMs) {
        channel.writeAndFlush(frames.drain(reason, deadlineMs));
    }

    private void send(Frame f) {
        if (channel.eventLoop().inEventLoop()) {
            queue(f);
            flushQueued();
        } else {
            channel.writeAndFlush(f);
        }
    }

    private void fatal(Frame error) {
        if (closing) {
            return;
        }
        closing = true;
        if (channel.eventLoop().inEventLoop()) {
            flushNow(); // what was queued goes first
        }
        channel.writeAndFlush(error).addListener(ChannelFutureListener.CLOSE);
    }

    // ------------------------------------------------------------------ SidecarLink (replies)

    @Override
    public boolean writable() {
        return channel.isWritable() && !closing;
    }

    @Override
    public void send(Reply reply) {
        channel.write(frames.reply(reply));
    }

    @Override
    public void send(Reply reply, byte[] encoded) {
        EncodedReplyFrame frame = new EncodedReplyFrame(frames.nextSeq(), encoded);
        if (channel.eventLoop().inEventLoop()) {
            queue(frame);
        } else {
            channel.write(frame);
        }
    }

    @Override
    public void flush() {
        if (channel.eventLoop().inEventLoop()) {
            flushQueued();
        } else {
            channel.flush();
        }
    }

    @Override
    public void execute(Runnable task) {
        channel.eventLoop().execute(task);
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        // Proxy pattern: stop reading a sidecar that does not read what we write (acks, replies), resume
        // when its socket drains. No spinning, no unbounded buffering.
        boolean writable = ctx.channel().isWritable();
        ctx.channel().config().setAutoRead(writable);
        if (writable && channelName != null) {
            replies.pump(channelName);
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.READER_IDLE) {
                log.atWarn()
                        .addKeyValue("channel", channelName)
                        .log("no frame from the sidecar for 3 heartbeat intervals; closing the connection");
                ctx.close();
            } else if (idle.state() == IdleState.WRITER_IDLE) {
                send(frames.heartbeat(ThreadLocalRandom.current().nextLong(), System.currentTimeMillis()));
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (out != null) {
            out.release();
            out = null;
        }
        if (channelName != null) {
            registry.unregister(channelName, this);
            replies.detach(channelName, this);
            log.atInfo()
                    .addKeyValue("channel", channelName)
                    .addKeyValue("session", sessionId)
                    .log("sidecar disconnected");
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable t = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (t instanceof BusFramingException fe) {
            log.atWarn()
                    .addKeyValue("channel", channelName)
                    .addKeyValue("offset", fe.offset())
                    .addKeyValue("limit", fe.limit())
                    .log("fatal bus framing error, closing: " + fe.getMessage());
            fatal(frames.error(fe.kind().errorCode(), fe.getMessage(), 0, true));
            return;
        }
        if (t instanceof IOException) {
            log.atDebug().addKeyValue("channel", channelName).log("connection error: " + t);
        } else {
            log.atWarn().addKeyValue("channel", channelName).setCause(t).log("unexpected error on a bus connection");
            fatal(frames.error(
                    Error.Code.INTERNAL,
                    "internal error in the bridge: " + t.getClass().getSimpleName(),
                    0,
                    true));
        }
        ctx.close();
    }
}
