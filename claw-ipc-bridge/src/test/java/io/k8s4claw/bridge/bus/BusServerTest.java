package io.k8s4claw.bridge.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.k8s4claw.api.bus.v1.ApprovalAnswer;
import io.k8s4claw.api.bus.v1.Error;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Hello;
import io.k8s4claw.api.bus.v1.Nack;
import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.Typing;
import io.k8s4claw.bridge.Bridge;
import io.k8s4claw.bridge.BridgeConfig;
import io.k8s4claw.bridge.testing.ScriptedConnector;
import io.k8s4claw.bridge.testing.TestConfigs;
import io.k8s4claw.bridge.testing.TestSidecar;
import io.k8s4claw.bridge.wal.FileStore;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BusServerTest {

    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private Bridge bridge;
    private final ScriptedConnector runtime = new ScriptedConnector();

    private Bridge start(BridgeConfig cfg) throws Exception {
        bridge = Bridge.start(cfg, runtime, FileStore.DEFAULT);
        return bridge;
    }

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    private Path socket() {
        return dir.resolve("bus.sock");
    }

    @Test
    void registersWithVersionNegotiationAndSocketMode() throws Exception {
        Files.writeString(socket(), "stale"); // a stale file from a previous run is removed
        start(TestConfigs.config(dir));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket())))
                .isEqualTo("rw-rw----");
        try (TestSidecar s = TestSidecar.connect(socket())) {
            Frame w = s.hello("slack-main", 0);
            assertThat(w.hasWelcome()).as("got %s", w).isTrue();
            assertThat(w.getWelcome().getVersion()).isEqualTo(1);
            assertThat(w.getWelcome().getWindow()).isEqualTo(256);
            assertThat(w.getWelcome().getMaxFrameBytes()).isEqualTo(1 << 20);
            s.sendMessage("m1", "C1", "hello");
            Frame ack = s.await(Frame::hasAck, T);
            assertThat(ack.getAck().getMessageId()).isEqualTo("m1");
            assertThat(ack.getAck().getDuplicate()).isFalse();
            Frame fin = s.await(f -> f.hasReply() && f.getReply().hasFinal(), T);
            assertThat(fin.getReply().getFinal().getText()).isEqualTo("echo: hello");
            assertThat(fin.getReply().getInReplyTo()).isEqualTo("m1");
            assertThat(fin.getReply().getStreamId()).isEqualTo("run-m1");
        }
    }

    @Test
    void versionMismatchIsFatal() throws Exception {
        start(TestConfigs.config(dir));
        try (TestSidecar s = TestSidecar.connect(socket())) {
            s.send(s.frames()
                    .frame(b -> b.setHello(
                            Hello.newBuilder().setMinVersion(2).setMaxVersion(3).setChannelName("x"))));
            Frame e = s.await(Frame::hasError, T);
            assertThat(e.getError().getCode()).isEqualTo(Error.Code.UNSUPPORTED_VERSION);
            assertThat(e.getError().getFatal()).isTrue();
            assertThat(e.getError().getMessage()).contains("2..3").contains("1..1");
            await().atMost(T).until(s::closedByPeer);
        }
    }

    @Test
    void framesBeforeHelloAreRefusedButConnectionStays() throws Exception {
        start(TestConfigs.config(dir));
        try (TestSidecar s = TestSidecar.connect(socket())) {
            s.sendMessage("early", "C1", "too soon");
            Frame e = s.await(Frame::hasError, T);
            assertThat(e.getError().getCode()).isEqualTo(Error.Code.NOT_REGISTERED);
            assertThat(e.getError().getFatal()).isFalse();
            assertThat(s.hello("ch", 0).hasWelcome()).isTrue();
        }
        assertThat(runtime.callsFor("early")).isZero();
    }

    @Test
    void reconnectReplacesTheOldConnection() throws Exception {
        start(TestConfigs.config(dir));
        try (TestSidecar old = TestSidecar.connect(socket());
                TestSidecar fresh = TestSidecar.connect(socket())) {
            assertThat(old.hello("slack", 0).hasWelcome()).isTrue();
            assertThat(fresh.hello("slack", 0).hasWelcome()).isTrue();
            Frame e = old.await(Frame::hasError, T);
            assertThat(e.getError().getCode()).isEqualTo(Error.Code.REPLACED);
            assertThat(e.getError().getFatal()).isTrue();
            await().atMost(T).until(old::closedByPeer);
            fresh.sendMessage("m1", "C1", "hi");
            assertThat(fresh.await(f -> f.hasReply() && f.getReply().hasFinal(), T)
                            .getReply()
                            .getFinal()
                            .getText())
                    .isEqualTo("echo: hi");
        }
    }

    @Test
    void malformedBodyIsAnsweredAndTheConnectionStays() throws Exception {
        start(TestConfigs.config(dir));
        try (TestSidecar s = TestSidecar.connect(socket())) {
            s.hello("ch", 0);
            s.writeRaw(new byte[] {0, 0, 0, 3, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            Frame e = s.await(Frame::hasError, T);
            assertThat(e.getError().getCode()).isEqualTo(Error.Code.MALFORMED_FRAME);
            assertThat(e.getError().getFatal()).isFalse();
            assertThat(e.getError().getMessage()).contains("byte offset");
            s.sendMessage("after", "C1", "still here");
            assertThat(s.await(Frame::hasAck, T).getAck().getMessageId()).isEqualTo("after");
        }
    }

    @Test
    void oversizedFrameClosesOnlyThatConnection() throws Exception {
        start(TestConfigs.config(dir));
        try (TestSidecar bad = TestSidecar.connect(socket());
                TestSidecar good = TestSidecar.connect(socket())) {
            bad.hello("bad", 0);
            good.hello("good", 0);
            bad.writeRaw(ByteBuffer.allocate(8).putInt(64 << 20).putInt(0).array());
            Frame e = bad.await(Frame::hasError, T);
            assertThat(e.getError().getCode()).isEqualTo(Error.Code.FRAME_TOO_LARGE);
            assertThat(e.getError().getFatal()).isTrue();
            assertThat(e.getError().getMessage())
                    .contains("announces 67108864 bytes")
                    .contains("1048576");
            await().atMost(T).until(bad::closedByPeer);
            good.sendMessage("g1", "C1", "unaffected");
            assertThat(good.await(Frame::hasAck, T).getAck().getMessageId()).isEqualTo("g1");
            assertThat(good.closedByPeer()).isFalse();
        }
    }

    @Test
    void heartbeatsAreAnsweredAndSentAndSilentPeersAreClosed() throws Exception {
        start(TestConfigs.withBus(TestConfigs.config(dir), 200, 256, 100_000, 1 << 20));
        try (TestSidecar s = TestSidecar.connect(socket())) {
            assertThat(s.hello("ch", 0).getWelcome().getHeartbeatIntervalMs()).isEqualTo(200);
            s.send(s.frames().heartbeat(77, 1));
            Frame hb = s.await(f -> f.hasHeartbeat() && f.getHeartbeat().getResponse(), T);
            assertThat(hb.getHeartbeat().getNonce()).isEqualTo(77);
            // the bridge pings a quiet peer …
            s.await(f -> f.hasHeartbeat() && !f.getHeartbeat().getResponse(), T);
            // … and closes one that stays silent for 3 intervals
            await().atMost(T).until(s::closedByPeer);
        }
    }

    @Test
    void windowAndBacklogBoundGiveFlowControl() throws Exception {
        runtime.script(m -> ScriptedConnector.Action.ACCEPT_AND_HOLD);
        start(TestConfigs.withBus(TestConfigs.config(dir), 10_000, 256, 2, 1 << 20));
        try (TestSidecar s = TestSidecar.connect(socket())) {
            s.hello("ch", 0);
            s.sendMessage("a", "C1", "1");
            s.sendMessage("b", "C2", "2");
            s.await(f -> f.hasAck() && f.getAck().getMessageId().equals("a"), T);
            s.await(f -> f.hasAck() && f.getAck().getMessageId().equals("b"), T);
            // backlog at its bound of 2: the bridge pauses the sidecar and refuses more
            Frame fc = s.await(Frame::hasFlowControl, T);
            assertThat(fc.getFlowControl().getPaused()).isTrue();
            s.sendMessage("c", "C3", "3");
            Frame nack = s.await(Frame::hasNack, T);
            assertThat(nack.getNack().getReason()).isEqualTo(Nack.Reason.OVERLOADED);
            assertThat(nack.getNack().getRetryable()).isTrue();
            await().atMost(T).until(() -> runtime.openRuns.containsKey("a"));
            runtime.finish("a", "done a");
            Frame resumed =
                    s.await(f -> f.hasFlowControl() && !f.getFlowControl().getPaused(), T);
            assertThat(resumed.getFlowControl().getPaused()).isFalse();
        }
    }

    @Test
    void sidecarCanPauseReplies() throws Exception {
        start(TestConfigs.config(dir));
        try (TestSidecar s = TestSidecar.connect(socket())) {
            s.hello("ch", 0);
            s.send(s.frames().flowControl(true, 0, "platform rate limit"));
            s.sendMessage("m", "C1", "x");
            s.await(Frame::hasAck, T);
            await().atMost(T).until(() -> bridge.ledger().pendingCount() == 0); // the run's final is logged
            // Replies are durable but must not be sent while paused. A signal that they would have arrived by now,
            // instead of a sleep: a probe reply journaled after the final becomes durable after it (journal futures
            // complete in append order), so the final's pump is queued on this connection's event loop by then; of
            // two heartbeat round trips on that loop, the second is read after that pump ran, and frames leave in
            // order, so a reply sent despite the pause would come before the second heartbeat's response.
            bridge.replies()
                    .append(
                            "ch",
                            Reply.newBuilder()
                                    .setStreamId("pause-probe")
                                    .setConversationId("C1")
                                    .setTyping(Typing.getDefaultInstance()))
                    .get(T.toSeconds(), TimeUnit.SECONDS);
            for (long nonce = 1; nonce <= 2; nonce++) {
                long n = nonce;
                s.send(s.frames().heartbeat(n, System.currentTimeMillis()));
                s.await(
                        f -> f.hasHeartbeat()
                                && f.getHeartbeat().getResponse()
                                && f.getHeartbeat().getNonce() == n,
                        T);
            }
            assertThat(s.drainReceived()).noneMatch(Frame::hasReply);
            s.send(s.frames().flowControl(false, 0, ""));
            assertThat(s.await(f -> f.hasReply() && f.getReply().hasFinal(), T)
                            .getReply()
                            .getFinal()
                            .getText())
                    .isEqualTo("echo: x");
        }
    }

    @Test
    void duplicateMessageIsAckedAsDuplicateAndDeliveredOnce() throws Exception {
        start(TestConfigs.config(dir));
        try (TestSidecar s = TestSidecar.connect(socket())) {
            s.hello("ch", 0);
            s.sendMessage("dup", "C1", "once");
            s.sendMessage("dup", "C1", "once");
            Frame a1 = s.await(Frame::hasAck, T);
            Frame a2 = s.await(Frame::hasAck, T);
            assertThat(List.of(a1.getAck().getDuplicate(), a2.getAck().getDuplicate()))
                    .containsExactlyInAnyOrder(false, true);
            s.await(f -> f.hasReply() && f.getReply().hasFinal(), T);
            s.sendMessage("dup", "C1", "once");
            assertThat(s.await(Frame::hasAck, T).getAck().getDuplicate()).isTrue();
        }
        assertThat(runtime.callsFor("dup")).isEqualTo(1);
    }

    @Test
    void invalidMessagesAreNackedWithTheField() throws Exception {
        start(TestConfigs.config(dir));
        try (TestSidecar s = TestSidecar.connect(socket())) {
            s.hello("ch", 0);
            s.sendMessage("", "C1", "no id");
            Frame n = s.await(Frame::hasNack, T);
            assertThat(n.getNack().getReason()).isEqualTo(Nack.Reason.INVALID);
            assertThat(n.getNack().getRetryable()).isFalse();
            assertThat(n.getNack().getDetail()).contains("message_id");
        }
    }

    @Test
    void repliesWaitForTheSidecarAndResumeFromLastReplySeq() throws Exception {
        runtime.script(m -> ScriptedConnector.Action.ACCEPT_AND_HOLD);
        start(TestConfigs.config(dir));
        long lastSeq;
        try (TestSidecar s = TestSidecar.connect(socket())) {
            s.hello("ch", 0);
            s.sendMessage("m1", "C1", "x");
            s.await(Frame::hasAck, T);
            Frame start = s.await(f -> f.hasReply() && f.getReply().hasStart(), T);
            lastSeq = start.getReply().getReplySeq();
            s.send(s.frames().replyAck(lastSeq, true, "", false, List.of("p1")));
        }
        // the sidecar is away while the agent answers
        await().atMost(T).until(() -> runtime.openRuns.containsKey("m1"));
        runtime.finish("m1", "answer while you were away");
        await().atMost(T).until(() -> bridge.replies().pendingCount("ch") == 1);
        try (TestSidecar back = TestSidecar.connect(socket())) {
            back.hello("ch", lastSeq);
            Frame fin = back.await(f -> f.hasReply(), T);
            assertThat(fin.getReply().getFinal().getText()).isEqualTo("answer while you were away");
            assertThat(fin.getReply().getReplySeq()).isGreaterThan(lastSeq);
            back.send(back.frames().replyAck(fin.getReply().getReplySeq(), true, "", false, List.of("p2")));
            await().atMost(T).until(() -> bridge.replies().pendingCount("ch") == 0);
        }
    }

    @Test
    void approvalAnswersReachTheRuntime() throws Exception {
        start(TestConfigs.config(dir));
        try (TestSidecar s = TestSidecar.connect(socket())) {
            s.hello("ch", 0);
            s.send(s.frames()
                    .frame(b -> b.setApprovalAnswer(ApprovalAnswer.newBuilder()
                            .setStreamId("run-9")
                            .setApprovalId("ap1")
                            .setChoice("once"))));
            await().atMost(T)
                    .until(() -> runtime.calls.stream()
                            .anyMatch(c -> c.kind().equals("approval:ap1=once")
                                    && c.runRef().equals("run-9")));
        }
    }
}
