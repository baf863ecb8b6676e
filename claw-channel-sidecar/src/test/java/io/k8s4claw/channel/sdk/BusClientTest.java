package io.k8s4claw.channel.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.k8s4claw.api.bus.v1.Ack;
import io.k8s4claw.api.bus.v1.Error;
import io.k8s4claw.api.bus.v1.FlowControl;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Heartbeat;
import io.k8s4claw.api.bus.v1.Nack;
import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.ReplyAck;
import io.k8s4claw.api.bus.v1.ReplyFinal;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.api.retry.Backoff;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BusClientTest {
    @TempDir
    Path dir;

    FakeBridge bridge;
    BusClient client;
    final List<Reply> handled = new CopyOnWriteArrayList<>();
    volatile ReplyHandler handler = reply -> {
        handled.add(reply);
        return CompletableFuture.completedFuture(ReplyOutcome.delivered("p-" + reply.getReplySeq()));
    };

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) client.close(Duration.ofMillis(200));
        if (bridge != null) bridge.close();
    }

    private Path socket() {
        return dir.resolve("bus.sock");
    }

    private BusClient.Builder builder() {
        return BusClient.builder()
                .socketPath(socket())
                .channel("slack-team", "slack")
                .backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)))
                .replyHandler(r -> handler.handle(r));
    }

    private static UserMessage msg(String id) {
        return UserMessage.newBuilder()
                .setMessageId(id)
                .setConversationId("C1")
                .setText("hi " + id)
                .build();
    }

    private static Frame.Builder reply(long seq, String conv, String text) {
        return Frame.newBuilder()
                .setReply(Reply.newBuilder()
                        .setReplySeq(seq)
                        .setStreamId("run-" + seq)
                        .setConversationId(conv)
                        .setFinal(ReplyFinal.newBuilder().setText(text)));
    }

    @Test
    void registersWithHelloAndPublishCompletesOnAck() throws Exception {
        bridge = new FakeBridge(socket());
        client = builder().build();
        client.start();
        Frame hello = bridge.next(Frame.BodyCase.HELLO);
        assertThat(hello.getHello().getChannelName()).isEqualTo("slack-team");
        assertThat(hello.getHello().getChannelType()).isEqualTo("slack");
        assertThat(hello.getHello().getMinVersion()).isEqualTo(1);
        assertThat(hello.getHello().getMaxVersion()).isGreaterThanOrEqualTo(1);
        assertThat(hello.getSeq()).isEqualTo(1);
        await().until(client::isConnected);

        var stage = client.publish(msg("ev-1")).toCompletableFuture();
        Frame sent = bridge.next(Frame.BodyCase.USER_MESSAGE);
        assertThat(sent.getUserMessage().getText()).isEqualTo("hi ev-1");
        assertThat(stage).isNotDone();
        bridge.current()
                .send(Frame.newBuilder()
                        .setAck(Ack.newBuilder().setMessageId("ev-1").setDuplicate(true)));
        assertThat(stage.get(5, TimeUnit.SECONDS)).isEqualTo(new PublishResult("ev-1", true));
        assertThat(client.pendingMessages()).isZero();
    }

    @Test
    void nonRetryableNackFailsWithReasonAndUserText() throws Exception {
        bridge = new FakeBridge(socket());
        client = builder().build();
        client.start();
        var stage = client.publish(msg("ev-2")).toCompletableFuture();
        bridge.next(Frame.BodyCase.USER_MESSAGE);
        bridge.current()
                .send(Frame.newBuilder()
                        .setNack(Nack.newBuilder()
                                .setMessageId("ev-2")
                                .setReason(Nack.Reason.INVALID)
                                .setDetail("text missing")
                                .setUserVisibleText("Sorry, I could not read that.")));
        assertThatThrownBy(() -> stage.get(5, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(PublishException.class, e -> {
                    assertThat(e.reason()).isEqualTo(PublishException.Reason.INVALID);
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.userVisibleText()).isEqualTo("Sorry, I could not read that.");
                    assertThat(e.getMessage()).contains("ev-2").contains("text missing");
                });
    }

    @Test
    void retryableNackIsResentAfterRetryAfter() throws Exception {
        bridge = new FakeBridge(socket());
        client = builder().build();
        client.start();
        var stage = client.publish(msg("ev-3")).toCompletableFuture();
        bridge.next(Frame.BodyCase.USER_MESSAGE);
        long nackedAt = System.nanoTime();
        bridge.current()
                .send(Frame.newBuilder()
                        .setNack(Nack.newBuilder()
                                .setMessageId("ev-3")
                                .setReason(Nack.Reason.OVERLOADED)
                                .setRetryable(true)
                                .setRetryAfterMs(300)));
        Frame again = bridge.next(Frame.BodyCase.USER_MESSAGE);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nackedAt)).isGreaterThanOrEqualTo(250);
        assertThat(again.getUserMessage().getMessageId()).isEqualTo("ev-3");
        assertThat(stage).isNotDone();
        bridge.current().send(Frame.newBuilder().setAck(Ack.newBuilder().setMessageId("ev-3")));
        assertThat(stage.get(5, TimeUnit.SECONDS).duplicate()).isFalse();
    }

    @Test
    void buffersWhileBridgeIsAwayAndRefusesBeyondCapacity() throws Exception {
        client = builder().bufferCapacity(2).build();
        client.start();
        var a = client.publish(msg("a")).toCompletableFuture();
        var b = client.publish(msg("b")).toCompletableFuture();
        var c = client.publish(msg("c")).toCompletableFuture();
        assertThatThrownBy(() -> c.get(1, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        PublishException.class,
                        e -> assertThat(e.reason()).isEqualTo(PublishException.Reason.BUFFER_FULL));
        var aAgain = client.publish(msg("a")).toCompletableFuture();
        assertThat(client.pendingMessages())
                .as("publishing a pending id again adds nothing")
                .isEqualTo(2);

        // The bridge comes up late: the normal case in a starting pod. The client is already dialling, so auto-ack
        // must be on before the bridge listens: set after the constructor, the client could register and send
        // a and b first (seen on a loaded CI machine), and nothing would ever acknowledge them.
        bridge = new FakeBridge(socket(), true);
        assertThat(a.get(10, TimeUnit.SECONDS).messageId()).isEqualTo("a");
        assertThat(aAgain.get(1, TimeUnit.SECONDS).messageId()).isEqualTo("a");
        assertThat(b.get(10, TimeUnit.SECONDS).messageId()).isEqualTo("b");
        List<String> order = bridge.current().frames.stream()
                .filter(Frame::hasUserMessage)
                .map(f -> f.getUserMessage().getMessageId())
                .toList();
        assertThat(order).containsExactly("a", "b");
    }

    @Test
    void unackedMessagesAreResentInOrderAfterReconnect() throws Exception {
        bridge = new FakeBridge(socket());
        client = builder().build();
        client.start();
        var one = client.publish(msg("m1")).toCompletableFuture();
        var two = client.publish(msg("m2")).toCompletableFuture();
        bridge.next(Frame.BodyCase.USER_MESSAGE);
        bridge.next(Frame.BodyCase.USER_MESSAGE);
        bridge.current().close(); // connection dies before the acks
        await().until(() -> bridge.connections.size() == 2
                && bridge.current().frames.stream()
                                .filter(Frame::hasUserMessage)
                                .count()
                        == 2);
        assertThat(bridge.current().frames.stream()
                        .filter(Frame::hasUserMessage)
                        .map(f -> f.getUserMessage().getMessageId()))
                .containsExactly("m1", "m2");
        bridge.current().send(Frame.newBuilder().setAck(Ack.newBuilder().setMessageId("m1")));
        bridge.current()
                .send(Frame.newBuilder()
                        .setAck(Ack.newBuilder().setMessageId("m2").setDuplicate(true)));
        assertThat(one.get(5, TimeUnit.SECONDS).duplicate()).isFalse();
        // The bridge had stored the first copy of m2: its duplicate is the client's own resend, not a second publish.
        assertThat(two.get(5, TimeUnit.SECONDS).duplicate()).isFalse();
        var three = client.publish(msg("m2")).toCompletableFuture(); // published again: this one is a duplicate
        await().until(() ->
                bridge.current().frames.stream().filter(Frame::hasUserMessage).count() == 3);
        bridge.current()
                .send(Frame.newBuilder()
                        .setAck(Ack.newBuilder().setMessageId("m2").setDuplicate(true)));
        assertThat(three.get(5, TimeUnit.SECONDS).duplicate()).isTrue();
    }

    @Test
    void withdrawTakesBackOnlyWhatNoBridgeCanHaveStored() throws Exception {
        bridge = new FakeBridge(socket());
        bridge.close(); // away
        client = builder().build();
        client.start();
        var queued = client.publish(msg("q1")).toCompletableFuture();
        assertThat(client.withdraw("q1")).isTrue();
        assertThat(queued).isCompletedExceptionally();
        assertThatThrownBy(queued::join)
                .hasCauseInstanceOf(PublishException.class)
                .cause()
                .extracting(e -> ((PublishException) e).reason())
                .isEqualTo(PublishException.Reason.WITHDRAWN);
        assertThat(client.pendingMessages()).isZero();

        bridge = new FakeBridge(socket());
        var sent = client.publish(msg("s1")).toCompletableFuture();
        assertThat(bridge.next(Frame.BodyCase.USER_MESSAGE).getUserMessage().getMessageId())
                .as("q1 is never sent")
                .isEqualTo("s1");
        assertThat(client.withdraw("s1"))
                .as("written and unanswered: the bridge may have it")
                .isFalse();
        bridge.current().send(Frame.newBuilder().setAck(Ack.newBuilder().setMessageId("s1")));
        assertThat(sent.get(5, TimeUnit.SECONDS).messageId()).isEqualTo("s1");
    }

    @Test
    void windowLimitsUnackedMessagesAndFlowControlPauses() throws Exception {
        bridge = new FakeBridge(socket());
        bridge.welcome = w -> w.setWindow(2);
        client = builder().build();
        client.start();
        await().until(client::isConnected);
        for (int i = 1; i <= 4; i++) client.publish(msg("w" + i));
        bridge.next(Frame.BodyCase.USER_MESSAGE);
        bridge.next(Frame.BodyCase.USER_MESSAGE);
        assertThat(bridge.poll(Frame.BodyCase.USER_MESSAGE, 300))
                .as("window of 2 is full")
                .isNull();
        bridge.current()
                .send(Frame.newBuilder()
                        .setFlowControl(FlowControl.newBuilder().setPaused(true).setReason("queue full")));
        bridge.current().send(Frame.newBuilder().setAck(Ack.newBuilder().setMessageId("w1")));
        assertThat(bridge.poll(Frame.BodyCase.USER_MESSAGE, 300))
                .as("paused by the bridge")
                .isNull();
        bridge.current()
                .send(Frame.newBuilder()
                        .setFlowControl(
                                FlowControl.newBuilder().setPaused(false).setWindow(3)));
        assertThat(bridge.next(Frame.BodyCase.USER_MESSAGE).getUserMessage().getMessageId())
                .isEqualTo("w3");
        assertThat(bridge.next(Frame.BodyCase.USER_MESSAGE).getUserMessage().getMessageId())
                .isEqualTo("w4");
    }

    @Test
    void repliesAreHandledInOrderAndAckedWithPlatformIds() throws Exception {
        bridge = new FakeBridge(socket());
        AtomicInteger concurrentInConv = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        handler = reply -> CompletableFuture.supplyAsync(() -> {
            int now = concurrentInConv.incrementAndGet();
            maxConcurrent.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            handled.add(reply);
            concurrentInConv.decrementAndGet();
            return ReplyOutcome.delivered("p-" + reply.getReplySeq());
        });
        client = builder().build();
        client.start();
        await().until(client::isConnected);
        for (long s = 1; s <= 5; s++) bridge.current().send(reply(s, "C1", "r" + s));
        for (long s = 1; s <= 5; s++) {
            ReplyAck ack = bridge.next(Frame.BodyCase.REPLY_ACK).getReplyAck();
            assertThat(ack.getReplySeq()).isEqualTo(s);
            assertThat(ack.getOk()).isTrue();
            assertThat(ack.getPlatformMessageIdsList()).containsExactly("p-" + s);
        }
        assertThat(handled).extracting(Reply::getReplySeq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(maxConcurrent.get())
                .as("one conversation is handled serially")
                .isEqualTo(1);
        assertThat(client.lastReplySeq()).isEqualTo(5);
    }

    @Test
    void resentReplyIsReackedWithoutPostingTwiceAndHelloCarriesLastReplySeq() throws Exception {
        bridge = new FakeBridge(socket());
        client = builder().build();
        client.start();
        await().until(client::isConnected);
        bridge.current().send(reply(7, "C1", "hello"));
        assertThat(bridge.next(Frame.BodyCase.REPLY_ACK).getReplyAck().getReplySeq())
                .isEqualTo(7);
        bridge.current().close();
        Frame hello = bridge.next(Frame.BodyCase.HELLO);
        assertThat(hello.getHello().getLastReplySeq()).isEqualTo(7);
        await().until(() -> bridge.connections.size() == 2 && client.isConnected());
        bridge.current().send(reply(7, "C1", "hello")); // the bridge never saw the ack
        ReplyAck again = bridge.next(Frame.BodyCase.REPLY_ACK).getReplyAck();
        assertThat(again.getReplySeq()).isEqualTo(7);
        assertThat(again.getPlatformMessageIdsList()).containsExactly("p-7");
        assertThat(handled).hasSize(1);
    }

    @Test
    void failedOutcomesAndHandlerExceptionsBecomeNegativeReplyAcks() throws Exception {
        bridge = new FakeBridge(socket());
        handler = reply -> reply.getReplySeq() == 1
                ? CompletableFuture.completedFuture(ReplyOutcome.failed("ratelimited", true))
                : CompletableFuture.failedFuture(new IllegalStateException("boom"));
        client = builder().build();
        client.start();
        await().until(client::isConnected);
        bridge.current().send(reply(1, "C1", "x"));
        ReplyAck first = bridge.next(Frame.BodyCase.REPLY_ACK).getReplyAck();
        assertThat(first.getOk()).isFalse();
        assertThat(first.getError()).isEqualTo("ratelimited");
        assertThat(first.getRetryable()).isTrue();
        assertThat(client.lastReplySeq())
                .as("a retryable failure is not handled")
                .isZero();
        bridge.current().send(reply(2, "C2", "y"));
        ReplyAck second = bridge.next(Frame.BodyCase.REPLY_ACK).getReplyAck();
        assertThat(second.getOk()).isFalse();
        assertThat(second.getRetryable()).isFalse();
        assertThat(second.getError()).contains("IllegalStateException");
    }

    @Test
    void answersHeartbeatsAndSendsItsOwn() throws Exception {
        bridge = new FakeBridge(socket());
        bridge.welcome = w -> w.setHeartbeatIntervalMs(100);
        client = builder().build();
        client.start();
        await().until(client::isConnected);
        bridge.current()
                .send(Frame.newBuilder().setHeartbeat(Heartbeat.newBuilder().setNonce(42)));
        Frame own = null;
        Frame answer = null;
        while (own == null || answer == null) {
            Frame hb = bridge.next(Frame.BodyCase.HEARTBEAT);
            if (hb.getHeartbeat().getResponse()) answer = hb;
            else own = hb;
        }
        assertThat(answer.getHeartbeat().getNonce()).isEqualTo(42);
        assertThat(own.getHeartbeat().getResponse()).isFalse();
    }

    @Test
    void silentBridgeIsDetectedAndReconnected() throws Exception {
        bridge = new FakeBridge(socket());
        bridge.welcome = w -> w.setHeartbeatIntervalMs(50);
        client = builder().build();
        client.start();
        // The fake never answers; 3 silent intervals later the client redials.
        await().atMost(Duration.ofSeconds(5)).until(() -> bridge.connections.size() >= 2);
    }

    @Test
    void pausingRepliesSendsFlowControlAndRepeatsItAfterReconnect() throws Exception {
        bridge = new FakeBridge(socket());
        client = builder().build();
        client.start();
        await().until(client::isConnected);
        client.pauseReplies("slack 429 on chat.postMessage");
        FlowControl fc = bridge.next(Frame.BodyCase.FLOW_CONTROL).getFlowControl();
        assertThat(fc.getPaused()).isTrue();
        assertThat(fc.getReason()).contains("429");
        bridge.current().close();
        assertThat(bridge.next(Frame.BodyCase.FLOW_CONTROL).getFlowControl().getPaused())
                .isTrue();
        client.resumeReplies();
        assertThat(bridge.next(Frame.BodyCase.FLOW_CONTROL).getFlowControl().getPaused())
                .isFalse();
    }

    @Test
    void closeDrainsPendingWorkThenFailsTheRest() throws Exception {
        bridge = new FakeBridge(socket());
        client = builder().build();
        client.start();
        await().until(client::isConnected);
        var stage = client.publish(msg("d1")).toCompletableFuture();
        bridge.next(Frame.BodyCase.USER_MESSAGE);
        Thread.ofVirtual().start(() -> {
            try {
                bridge.next(Frame.BodyCase.DRAIN);
                bridge.current().send(Frame.newBuilder().setAck(Ack.newBuilder().setMessageId("d1")));
            } catch (InterruptedException ignored) {
            }
        });
        client.close(Duration.ofSeconds(5));
        assertThat(stage.get(1, TimeUnit.SECONDS).messageId()).isEqualTo("d1");
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        assertThatThrownBy(
                        () -> client.publish(msg("late")).toCompletableFuture().join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(PublishException.class);
    }

    @Test
    void replacedByANewerInstanceStopsForGood() throws Exception {
        bridge = new FakeBridge(socket());
        client = builder().build();
        client.start();
        await().until(client::isConnected);
        var pending = client.publish(msg("r1")).toCompletableFuture();
        bridge.next(Frame.BodyCase.USER_MESSAGE);
        bridge.current()
                .send(Frame.newBuilder()
                        .setError(Error.newBuilder()
                                .setCode(Error.Code.REPLACED)
                                .setFatal(true)
                                .setMessage("channel slack-team registered by instance x")));
        await().until(() -> client.state() == ConnectionState.FAILED);
        assertThatThrownBy(() -> pending.get(1, TimeUnit.SECONDS)).cause().isInstanceOf(PublishException.class);
        Thread.sleep(300);
        assertThat(bridge.connections).hasSize(1);
    }

    @Test
    void incompatibleBridgeVersionStops() throws Exception {
        bridge = new FakeBridge(socket());
        bridge.welcome = w -> w.setVersion(99);
        client = builder().build();
        client.start();
        await().until(() -> client.state() == ConnectionState.FAILED);
    }
}
