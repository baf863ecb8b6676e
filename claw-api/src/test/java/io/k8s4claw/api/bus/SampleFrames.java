package io.k8s4claw.api.bus;

import io.k8s4claw.api.bus.v1.ApprovalAnswer;
import io.k8s4claw.api.bus.v1.ApprovalRequest;
import io.k8s4claw.api.bus.v1.Attachment;
import io.k8s4claw.api.bus.v1.ChannelCapabilities;
import io.k8s4claw.api.bus.v1.ChatType;
import io.k8s4claw.api.bus.v1.Error;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Nack;
import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.ReplyDelta;
import io.k8s4claw.api.bus.v1.ReplyFinal;
import io.k8s4claw.api.bus.v1.Sender;
import io.k8s4claw.api.bus.v1.StopRequest;
import io.k8s4claw.api.bus.v1.UserMessage;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** One realistic frame of every body type, built through {@link BusFrames}. */
final class SampleFrames {

    private SampleFrames() {}

    static Map<Frame.BodyCase, Frame> everyBodyType() {
        BusFrames f = new BusFrames();
        Map<Frame.BodyCase, Frame> m = new EnumMap<>(Frame.BodyCase.class);
        m.put(
                Frame.BodyCase.HELLO,
                f.hello(
                        "slack-main",
                        "slack",
                        "pod-0/1",
                        41,
                        ChannelCapabilities.newBuilder()
                                .setMaxMessageLength(40000)
                                .setLengthUnit(ChannelCapabilities.LengthUnit.CHARACTERS)
                                .setSupportsEdit(true)
                                .setMarkdownDialect("slack-mrkdwn")
                                .addSupportedOps("send")
                                .addSupportedOps("edit")
                                .build(),
                        "0.1.0"));
        m.put(Frame.BodyCase.WELCOME, f.welcome(1, "s-1", 10_000, 1 << 20, 256, "0.1.0"));
        m.put(Frame.BodyCase.USER_MESSAGE, f.userMessage(userMessage("Ev123", "héllo wörld ✓")));
        m.put(Frame.BodyCase.ACK, f.ack("Ev123", true));
        m.put(
                Frame.BodyCase.NACK,
                f.nack(
                        "Ev123",
                        Nack.Reason.STORAGE_FAILED,
                        true,
                        5000,
                        "No space left on device",
                        "I could not store your message; please try again shortly."));
        m.put(
                Frame.BodyCase.REPLY,
                f.reply(Reply.newBuilder()
                        .setReplySeq(7)
                        .setStreamId("run_1")
                        .setInReplyTo("Ev123")
                        .setConversationId("C1")
                        .setThreadId("171.2")
                        .setFinal(ReplyFinal.newBuilder().setText("done").setFormat("markdown"))
                        .build()));
        m.put(Frame.BodyCase.REPLY_ACK, f.replyAck(7, true, "", false, List.of("171.3", "171.4")));
        m.put(Frame.BodyCase.FLOW_CONTROL, f.flowControl(true, 0, "wal backlog"));
        m.put(Frame.BodyCase.HEARTBEAT, f.heartbeat(99, 1_700_000_000_000L));
        m.put(Frame.BodyCase.DRAIN, f.drain("SIGTERM", 25_000));
        m.put(Frame.BodyCase.ERROR, f.error(Error.Code.MALFORMED_FRAME, "bad body at byte offset 4", 3, false));
        m.put(
                Frame.BodyCase.APPROVAL_ANSWER,
                f.frame(b -> b.setApprovalAnswer(ApprovalAnswer.newBuilder()
                        .setStreamId("run_1")
                        .setApprovalId("ap_1")
                        .setChoice("once")
                        .setSender(Sender.newBuilder().setId("U1")))));
        m.put(
                Frame.BodyCase.STOP_REQUEST,
                f.frame(b -> b.setStopRequest(StopRequest.newBuilder()
                        .setConversationId("C1")
                        .setThreadId("171.2")
                        .setSender(Sender.newBuilder().setId("U1")))));
        return m;
    }

    static UserMessage userMessage(String id, String text) {
        return UserMessage.newBuilder()
                .setMessageId(id)
                .setConversationId("C1")
                .setThreadId("")
                .setSender(Sender.newBuilder().setId("U1").setDisplayName("Ada"))
                .setText(text)
                .setPlatformMessageId("171.1")
                .addAttachments(Attachment.newBuilder()
                        .setName("a.png")
                        .setMimeType("image/png")
                        .setSizeBytes(12)
                        .setRef("https://files.example/a.png"))
                .putMetadata("team_id", "T1")
                .setSentAtUnixMs(1_700_000_000_000L)
                .setChatType(ChatType.CHANNEL)
                .build();
    }

    /** Frames of every type plus replies carrying every event type. */
    static List<Frame> all() {
        BusFrames f = new BusFrames();
        List<Frame> list = new ArrayList<>(everyBodyType().values());
        list.add(f.reply(Reply.newBuilder()
                .setReplySeq(8)
                .setStreamId("r")
                .setDelta(ReplyDelta.newBuilder().setText("partial"))
                .build()));
        list.add(f.reply(Reply.newBuilder()
                .setReplySeq(9)
                .setStreamId("r")
                .setApprovalRequest(ApprovalRequest.newBuilder()
                        .setApprovalId("a")
                        .setText("run rm?")
                        .addChoices("once")
                        .addChoices("deny"))
                .build()));
        return list;
    }
}
