package io.k8s4claw.api.bus;

import io.k8s4claw.api.bus.v1.Ack;
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
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.api.bus.v1.Welcome;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Builds the frames each side sends, numbering them with this connection's {@code Frame.seq}. One
 * instance per connection (thread-safe: the counter is atomic).
 */
public final class BusFrames {

    private final AtomicLong seq = new AtomicLong();

    /** The seq the next frame gets. */
    public long nextSeq() {
        return seq.incrementAndGet();
    }

    /** Wraps an already built body setter, e.g. {@code frames.frame(b -> b.setReply(reply))}. */
    public Frame frame(UnaryOperator<Frame.Builder> body) {
        return body.apply(Frame.newBuilder().setSeq(nextSeq())).build();
    }

    public Frame hello(
            String channelName,
            String channelType,
            String instanceId,
            long lastReplySeq,
            ChannelCapabilities capabilities,
            String sidecarVersion) {
        return frame(b -> b.setHello(Hello.newBuilder()
                .setMinVersion(BusProtocol.MIN_SUPPORTED_VERSION)
                .setMaxVersion(BusProtocol.MAX_SUPPORTED_VERSION)
                .setChannelName(channelName)
                .setChannelType(channelType)
                .setInstanceId(instanceId)
                .setLastReplySeq(lastReplySeq)
                .setCapabilities(capabilities)
                .setSidecarVersion(sidecarVersion)));
    }

    public Frame welcome(
            int version,
            String sessionId,
            int heartbeatIntervalMs,
            int maxFrameBytes,
            int window,
            String bridgeVersion) {
        return frame(b -> b.setWelcome(Welcome.newBuilder()
                .setVersion(version)
                .setSessionId(sessionId)
                .setHeartbeatIntervalMs(heartbeatIntervalMs)
                .setMaxFrameBytes(maxFrameBytes)
                .setWindow(window)
                .setBridgeVersion(bridgeVersion)));
    }

    public Frame userMessage(UserMessage message) {
        return frame(b -> b.setUserMessage(message));
    }

    public Frame ack(String messageId, boolean duplicate) {
        return frame(b -> b.setAck(Ack.newBuilder().setMessageId(messageId).setDuplicate(duplicate)));
    }

    public Frame nack(
            String messageId,
            Nack.Reason reason,
            boolean retryable,
            int retryAfterMs,
            String detail,
            String userVisibleText) {
        return frame(b -> b.setNack(Nack.newBuilder()
                .setMessageId(messageId)
                .setReason(reason)
                .setRetryable(retryable)
                .setRetryAfterMs(retryAfterMs)
                .setDetail(detail)
                .setUserVisibleText(userVisibleText)));
    }

    public Frame reply(Reply reply) {
        return frame(b -> b.setReply(reply));
    }

    public Frame replyAck(
            long replySeq, boolean ok, String error, boolean retryable, Iterable<String> platformMessageIds) {
        return frame(b -> b.setReplyAck(ReplyAck.newBuilder()
                .setReplySeq(replySeq)
                .setOk(ok)
                .setError(error)
                .setRetryable(retryable)
                .addAllPlatformMessageIds(platformMessageIds)));
    }

    public Frame flowControl(boolean paused, int window, String reason) {
        return frame(b -> b.setFlowControl(
                FlowControl.newBuilder().setPaused(paused).setWindow(window).setReason(reason)));
    }

    public Frame heartbeat(long nonce, long nowUnixMs) {
        return frame(b -> b.setHeartbeat(Heartbeat.newBuilder().setNonce(nonce).setSentAtUnixMs(nowUnixMs)));
    }

    /** The answer to a heartbeat request: the same nonce, {@code response=true}. */
    public Frame heartbeatResponse(Heartbeat request, long nowUnixMs) {
        return frame(b -> b.setHeartbeat(Heartbeat.newBuilder()
                .setNonce(request.getNonce())
                .setResponse(true)
                .setSentAtUnixMs(nowUnixMs)));
    }

    public Frame drain(String reason, int deadlineMs) {
        return frame(b -> b.setDrain(Drain.newBuilder().setReason(reason).setDeadlineMs(deadlineMs)));
    }

    public Frame error(Error.Code code, String message, long refSeq, boolean fatal) {
        return frame(b -> b.setError(Error.newBuilder()
                .setCode(code)
                .setMessage(message)
                .setRefSeq(refSeq)
                .setFatal(fatal)));
    }

    /** Whether an error code always ends the connection (see bus.proto). */
    public static boolean isFatal(Error.Code code) {
        return switch (code) {
            case FRAME_TOO_LARGE, UNSUPPORTED_VERSION, REPLACED -> true;
            default -> false;
        };
    }
}
