package io.k8s4claw.channel.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.ReplyFinal;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.channel.sdk.FakeBridge;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The documented example channel works against a bridge speaking the bus protocol. */
class ConsoleChannelTest {
    @TempDir
    Path dir;

    @Test
    void linesArePublishedAndRepliesPrinted() throws Exception {
        try (FakeBridge bridge = new FakeBridge(dir.resolve("bus.sock"))) {
            bridge.autoAck = true;
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            ConsoleChannel console =
                    new ConsoleChannel(bridge.socket, new PrintStream(printed, true, StandardCharsets.UTF_8));
            console.run(new ByteArrayInputStream("hello\n\nhow are you?\n".getBytes(StandardCharsets.UTF_8)));
            UserMessage first = bridge.next(Frame.BodyCase.USER_MESSAGE).getUserMessage();
            UserMessage second = bridge.next(Frame.BodyCase.USER_MESSAGE).getUserMessage();
            assertThat(first.getText()).isEqualTo("hello");
            assertThat(second.getText()).isEqualTo("how are you?");
            bridge.current()
                    .send(Frame.newBuilder()
                            .setReply(Reply.newBuilder()
                                    .setReplySeq(1)
                                    .setStreamId("r")
                                    .setConversationId("console")
                                    .setInReplyTo(first.getMessageId())
                                    .setFinal(ReplyFinal.newBuilder().setText("hi!"))));
            assertThat(bridge.next(Frame.BodyCase.REPLY_ACK).getReplyAck().getOk())
                    .isTrue();
            await().until(() -> printed.toString(StandardCharsets.UTF_8).contains("agent> hi!"));
            console.close(Duration.ofSeconds(1));
        }
    }
}
