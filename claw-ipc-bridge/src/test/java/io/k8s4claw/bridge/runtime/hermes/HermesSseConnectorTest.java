package io.k8s4claw.bridge.runtime.hermes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.k8s4claw.bridge.runtime.Accepted;
import io.k8s4claw.bridge.runtime.DeliveryException;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.RecordingSink;
import io.k8s4claw.bridge.runtime.RuntimeHealth;
import io.k8s4claw.testkit.hermes.Dialect;
import io.k8s4claw.testkit.hermes.HermesApiEmulator;
import io.k8s4claw.testkit.hermes.RecordedRequest;
import io.k8s4claw.testkit.hermes.Step;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Hermes SSE connector against the Hermes API emulator (claw-testkit, docs/hermes-api-emulator.md). */
class HermesSseConnectorTest {

    static final String KEY = "3f1c0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab";
    static final Duration WAIT = Duration.ofSeconds(15);

    HermesApiEmulator emu;
    final List<HermesSseConnector> connectors = new ArrayList<>();

    @AfterEach
    void tearDown() {
        connectors.forEach(HermesSseConnector::close);
        if (emu != null) {
            emu.close();
        }
    }

    HermesSseConnector connector(String key) {
        var s = HermesSseSettings.of(emu.baseUrl(), key)
                .withStreamWatchdog(Duration.ofSeconds(5))
                .withHealthInterval(Duration.ofMillis(100))
                .withPollInterval(Duration.ofMillis(50))
                .withReconnect(Duration.ofMillis(20), Duration.ofMillis(200))
                .withRequestTimeout(Duration.ofSeconds(5));
        var c = new HermesSseConnector(s);
        connectors.add(c);
        c.start(null);
        return c;
    }

    HermesSseConnector connector() {
        return connector(KEY);
    }

    static InboundMessage message(String id, String conversation, String text) {
        return new InboundMessage(
                id,
                InboundMessage.idempotencyKeyFor("telegram-main", id),
                "telegram-main",
                "telegram",
                conversation,
                "",
                new InboundMessage.Sender("u1", "Ada", false),
                text,
                "",
                List.of(),
                Map.of(),
                InboundMessage.ChatType.DIRECT,
                Instant.EPOCH);
    }

    static Accepted accept(HermesSseConnector c, InboundMessage m, RecordingSink sink) throws Exception {
        return c.deliver(m, sink).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static DeliveryException failure(CompletionStage<?> stage) {
        Throwable t = catchThrowable(() -> stage.toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertThat(t).isInstanceOf(ExecutionException.class);
        Throwable cause = t.getCause();
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        assertThat(cause).isInstanceOf(DeliveryException.class);
        return (DeliveryException) cause;
    }

    static void awaitTerminal(RecordingSink sink) {
        await().atMost(WAIT).until(sink::terminal);
    }

    List<RecordedRequest> posts() {
        return emu.requests().stream()
                .filter(r -> r.method().equals("POST") && r.path().equals("/v1/runs"))
                .toList();
    }

    // ---------------------------------------------------------------- TV-A1 / streaming

    @Test
    void tvA1DeltasBecomeCumulativeAndRunCompletedIsTheFinal() throws Exception {
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .script(r -> List.of(
                        new Step.Tool("web_search", "Oslo weather", Duration.ofMillis(30)),
                        new Step.Delta("It is 3 °C"),
                        new Step.Delta(" and cloudy in Oslo."),
                        new Step.Complete("It is 3 °C and cloudy in Oslo.")))
                .start();
        var c = connector();
        var m = message("4711", "123456789", "What is the weather in Oslo?");
        var sink = new RecordingSink();

        Accepted a = accept(c, m, sink);
        awaitTerminal(sink);

        assertThat(a.runRef()).matches("run_[0-9a-f]{32}");
        assertThat(a.replayed()).isFalse();
        assertThat(sink.eventsWithoutTyping())
                .containsExactly(
                        "start",
                        "delta:It is 3 °C",
                        "delta:It is 3 °C and cloudy in Oslo.",
                        "final:It is 3 °C and cloudy in Oslo.");
        assertThat(sink.events()).contains("typing"); // tool.started
        assertThat(sink.violations()).isEmpty();

        RecordedRequest post = posts().get(0);
        assertThat(post.header("authorization")).isEqualTo("Bearer " + KEY);
        assertThat(post.header("idempotency-key")).isEqualTo(m.idempotencyKey());
        assertThat(post.header("x-hermes-session-key")).isEqualTo("bridge:telegram-main:123456789");
        assertThat(post.header("origin")).isNull();
        assertThat(post.body())
                .isEqualTo("{\"input\":\"What is the weather in Oslo?\",\"session_id\":\"telegram-main.123456789\"}");
        assertThat(emu.requests())
                .allSatisfy(r -> assertThat(r.header("origin")).isNull());
        var events = emu.requests().stream()
                .filter(r -> r.path().endsWith("/events"))
                .toList();
        assertThat(events).hasSize(1);
        assertThat(events.get(0).header("authorization")).isEqualTo("Bearer " + KEY);
    }

    @Test
    void tvA1OlderDialectWithoutIds() throws Exception {
        emu = HermesApiEmulator.builder().apiKey(KEY).dialect(Dialect.OLDER).start();
        var c = connector();
        var sink = new RecordingSink();
        accept(c, message("1", "c1", "hello"), sink);
        awaitTerminal(sink);
        assertThat(sink.eventsWithoutTyping())
                .containsExactly("start", "delta:echo: ", "delta:echo: hello", "final:echo: hello");
        assertThat(sink.violations()).isEmpty();
    }

    @Test
    void runFailedAndCancelledBecomeErrors() throws Exception {
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .script(r -> r.input().equals("fail")
                        ? List.of(
                                new Step.Delta("partial"),
                                new Step.Fail("Model provider error: 500\nTraceback (most recent call last): ..."))
                        : List.of(new Step.Hang()))
                .start();
        var c = connector();
        var failed = new RecordingSink();
        accept(c, message("1", "c1", "fail"), failed);
        awaitTerminal(failed);
        assertThat(failed.events())
                .last()
                .isEqualTo("error:run_failed:The agent could not finish this request: Model provider error: 500");

        var cancelled = new RecordingSink();
        var a = accept(c, message("2", "c2", "hang"), cancelled);
        var http = HttpClient.newHttpClient();
        var stop = http.send(
                HttpRequest.newBuilder(emu.baseUrl().resolve("/v1/runs/" + a.runRef() + "/stop"))
                        .header("Authorization", "Bearer " + KEY)
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(stop.statusCode()).isEqualTo(200);
        awaitTerminal(cancelled);
        assertThat(cancelled.events()).last().asString().startsWith("error:run_cancelled:");
    }

    // ---------------------------------------------------------------- idempotency

    @Test
    void sameMessageTwiceIsOneRun() throws Exception {
        emu = HermesApiEmulator.builder().apiKey(KEY).start();
        var c = connector();
        var m = message("dup-1", "c1", "once please");
        var first = new RecordingSink();
        var second = new RecordingSink();
        Accepted a1 = accept(c, m, first);
        Accepted a2 = accept(c, m, second);
        awaitTerminal(first);
        awaitTerminal(second);
        assertThat(a2.runRef()).isEqualTo(a1.runRef());
        assertThat(a2.replayed()).isTrue();
        assertThat(emu.admittedRuns()).isEqualTo(1);
        assertThat(first.events()).last().isEqualTo("final:echo: once please");
        assertThat(second.events()).last().isEqualTo("final:echo: once please"); // replayed from the journal
        assertThat(posts())
                .extracting(RecordedRequest::body)
                .containsOnly(posts().get(0).body());
    }

    @Test
    void sameMessageIdWithDifferentTextIsAPermanentConflict() throws Exception {
        emu = HermesApiEmulator.builder().apiKey(KEY).start();
        var c = connector();
        accept(c, message("m-1", "c1", "original"), new RecordingSink());
        var e = failure(c.deliver(message("m-1", "c1", "edited"), new RecordingSink()));
        assertThat(e.retryable()).isFalse();
        assertThat(e.code()).isEqualTo("conflict");
        assertThat(e.getMessage()).contains("idempotency_key_conflict");
        assertThat(emu.admittedRuns()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- error statuses

    @Test
    void wrongKeyIsPermanentAndNeverPrinted() throws Exception {
        emu = HermesApiEmulator.builder().apiKey(KEY).start();
        String wrong = "wrong-key-0123456789-secret";
        var c = connector(wrong);
        var e = failure(c.deliver(message("1", "c1", "hi"), new RecordingSink()));
        assertThat(e.retryable()).isFalse();
        assertThat(e.code()).isEqualTo("unauthorized");
        assertThat(e.getMessage())
                .contains("401")
                .contains("CLAW_RUNTIME_TOKEN")
                .doesNotContain(wrong)
                .doesNotContain(KEY);
        assertThat(e.toString()).doesNotContain(wrong);
        await().atMost(WAIT).until(() -> c.health().state() == RuntimeHealth.State.DOWN);
        assertThat(c.health().detail()).contains("401").doesNotContain(wrong);
        assertThat(HermesSseSettings.of(emu.baseUrl(), wrong).toString()).doesNotContain(wrong);
        assertThat(emu.admittedRuns()).isZero();
    }

    @Test
    void concurrencyCapIsRetryableWithRetryAfter() throws Exception {
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .maxConcurrentRuns(1)
                .script(r -> List.of(new Step.Hang()))
                .start();
        var c = connector();
        accept(c, message("1", "c1", "a"), new RecordingSink());
        var e = failure(c.deliver(message("2", "c2", "b"), new RecordingSink()));
        assertThat(e.retryable()).isTrue();
        assertThat(e.code()).isEqualTo("rate_limited");
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(1));
        assertThat(e.getMessage()).contains("Too many concurrent runs (max 1)");
        // a replay of the admitted message bypasses the cap
        assertThat(accept(c, message("1", "c1", "a"), new RecordingSink()).replayed())
                .isTrue();
    }

    @Test
    void drainingIsRetryableWithRetryAfter() throws Exception {
        emu = HermesApiEmulator.builder().apiKey(KEY).start();
        emu.draining(true);
        var c = connector();
        var e = failure(c.deliver(message("1", "c1", "a"), new RecordingSink()));
        assertThat(e.retryable()).isTrue();
        assertThat(e.code()).isEqualTo("draining");
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(1));
        await().atMost(WAIT).until(() -> c.health().detail().contains("gateway_state=draining"));
        assertThat(c.health().state()).isEqualTo(RuntimeHealth.State.STARTING);
        emu.draining(false);
        var sink = new RecordingSink();
        accept(c, message("1", "c1", "a"), sink);
        awaitTerminal(sink);
        await().atMost(WAIT).until(() -> c.health().state() == RuntimeHealth.State.UP);
    }

    @Test
    void unknownRunOnResumeResubmitsUnderTheSameKey() throws Exception {
        emu = HermesApiEmulator.builder().apiKey(KEY).start();
        var c = connector();
        var sink = new RecordingSink();
        var m = message("r-1", "c1", "again");
        Accepted a = c.resume(m, "run_00000000000000000000000000000000", sink)
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        awaitTerminal(sink);
        assertThat(a.runRef()).isNotEqualTo("run_00000000000000000000000000000000");
        assertThat(sink.events()).last().isEqualTo("final:echo: again");
        assertThat(posts())
                .singleElement()
                .satisfies(p -> assertThat(p.header("idempotency-key")).isEqualTo(m.idempotencyKey()));
        var e = failure(c.answerApproval("run_00000000000000000000000000000000", "x", "once"));
        assertThat(e.code()).isEqualTo("run_not_found");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void runtimeNotUpYetIsRetryableAndHealthSaysStarting() throws Exception {
        emu = HermesApiEmulator.builder().apiKey(KEY).start();
        emu.down();
        var c = connector();
        var e = failure(c.deliver(message("1", "c1", "a"), new RecordingSink()));
        assertThat(e.retryable()).isTrue();
        assertThat(e.code()).isEqualTo("unreachable");
        assertThat(c.health().state()).isEqualTo(RuntimeHealth.State.STARTING);
        emu.up();
        await().atMost(WAIT).until(() -> c.health().state() == RuntimeHealth.State.UP);
        emu.down();
        await().atMost(WAIT).until(() -> c.health().state() == RuntimeHealth.State.DOWN);
    }

    @Test
    void concurrentRunsDoNotCrossTalk() throws Exception {
        var release = new CountDownLatch(1);
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .maxConcurrentRuns(10)
                .script(r -> List.of(
                        new Step.Delta("for " + r.input() + ": "), new Step.Await(release),
                        new Step.Delta(r.input()), new Step.Complete(null)))
                .start();
        var c = connector();
        List<RecordingSink> sinks = new ArrayList<>();
        List<CompletableFuture<Accepted>> stages = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            var sink = new RecordingSink();
            sinks.add(sink);
            stages.add(c.deliver(message("m" + i, "conv" + i, "u" + i), sink).toCompletableFuture());
        }
        for (var st : stages) {
            st.get(10, TimeUnit.SECONDS);
        }
        var eleventh = failure(c.deliver(message("m10", "conv10", "u10"), new RecordingSink()));
        assertThat(eleventh.code()).isEqualTo("rate_limited");
        release.countDown();
        for (int i = 0; i < 10; i++) {
            awaitTerminal(sinks.get(i));
            assertThat(sinks.get(i).eventsWithoutTyping())
                    .containsExactly(
                            "start",
                            "delta:for u" + i + ": ",
                            "delta:for u" + i + ": u" + i,
                            "final:for u" + i + ": u" + i);
            assertThat(sinks.get(i).violations()).isEmpty();
        }
        assertThat(stages.stream().map(f -> f.join().runRef()).distinct()).hasSize(10);
    }

    // ---------------------------------------------------------------- sessions

    @Test
    void conversationContinuesAcrossSessionIdRotation() throws Exception {
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .compressAfterTurns(2)
                .script(r -> List.of(new Step.Complete("turn ${turn} in " + r.sessionId())))
                .start();
        var c = connector();
        List<String> finals = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            var sink = new RecordingSink();
            accept(c, message("m" + i, "123", "msg " + i), sink);
            awaitTerminal(sink);
            finals.add(sink.events().get(sink.events().size() - 1));
        }
        // history carried over (turn counts up) although Hermes rotated the session id after two turns
        assertThat(finals.get(0)).isEqualTo("final:turn 0 in telegram-main.123");
        assertThat(finals.get(1)).isEqualTo("final:turn 1 in telegram-main.123");
        assertThat(finals.get(2)).startsWith("final:turn 2 in telegram-main.123-c1-");
        assertThat(finals.get(3)).startsWith("final:turn 3 in telegram-main.123-c1-");
        // the bridge keeps sending the stable id; Hermes resolves it to the live tip
        assertThat(posts())
                .extracting(RecordedRequest::body)
                .allSatisfy(b -> assertThat(b).contains("\"session_id\":\"telegram-main.123\""));
        // another conversation is another session
        var other = new RecordingSink();
        accept(c, message("o1", "456", "x"), other);
        awaitTerminal(other);
        assertThat(other.events()).last().isEqualTo("final:turn 0 in telegram-main.456");
    }

    // ---------------------------------------------------------------- liveness, resume, restarts

    @Test
    void keepalivesKeepASlowRunAliveAndSilenceTripsTheWatchdog() throws Exception {
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .keepaliveInterval(Duration.ofMillis(100))
                .script(r -> List.of(
                        new Step.Delta("thinking… "),
                        new Step.Delay(Duration.ofMillis(2500)),
                        new Step.Delta("done"),
                        new Step.Complete(null)))
                .start();
        var s = HermesSseSettings.of(emu.baseUrl(), KEY)
                .withStreamWatchdog(Duration.ofMillis(1000))
                .withHealthInterval(Duration.ofSeconds(1))
                .withReconnect(Duration.ofMillis(20), Duration.ofMillis(100));
        var c = new HermesSseConnector(s);
        connectors.add(c);
        c.start(null);

        var sink = new RecordingSink();
        accept(c, message("1", "c1", "slow"), sink);
        awaitTerminal(sink);
        assertThat(c.stats().streamReconnects()).isZero(); // 2.5 s of silence in the run, covered by keepalives
        assertThat(c.stats().keepalives()).isGreaterThanOrEqualTo(5);
        assertThat(sink.eventsWithoutTyping())
                .containsExactly("start", "delta:thinking… ", "delta:thinking… done", "final:thinking… done");

        emu.keepalivesSuppressed(true);
        var silent = new RecordingSink();
        accept(c, message("2", "c2", "slow"), silent);
        awaitTerminal(silent);
        assertThat(c.stats().streamReconnects()).isGreaterThanOrEqualTo(1); // the watchdog re-opened the silent stream
        assertThat(silent.eventsWithoutTyping())
                .containsExactly("start", "delta:thinking… ", "delta:thinking… done", "final:thinking… done");
        assertThat(silent.violations()).isEmpty();
    }

    @Test
    void droppedStreamResumesWithLastEventId() throws Exception {
        var release = new CountDownLatch(1);
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .script(r -> List.of(
                        new Step.Delta("one "),
                        new Step.Await(release),
                        new Step.Delta("two"),
                        new Step.Complete(null)))
                .start();
        var c = connector();
        var sink = new RecordingSink();
        accept(c, message("1", "c1", "x"), sink);
        await().atMost(WAIT).until(() -> sink.count("delta:") == 1);
        emu.dropEventStreams();
        release.countDown();
        awaitTerminal(sink);
        assertThat(sink.eventsWithoutTyping()).containsExactly("start", "delta:one ", "delta:one two", "final:one two");
        var subs = emu.requests().stream()
                .filter(r -> r.path().endsWith("/events"))
                .toList();
        assertThat(subs).hasSizeGreaterThanOrEqualTo(2);
        assertThat(subs.get(0).header("last-event-id")).isNull();
        assertThat(subs.get(1).header("last-event-id")).isEqualTo("1");
        assertThat(c.stats().statusPolls()).isZero();
    }

    @Test
    void olderDialectDroppedStreamFallsBackToStatus() throws Exception {
        var release = new CountDownLatch(1);
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .dialect(Dialect.OLDER)
                .script(r -> List.of(
                        new Step.Delta("one "),
                        new Step.Await(release),
                        new Step.Delta("two"),
                        new Step.Complete(null)))
                .start();
        var c = connector();
        var sink = new RecordingSink();
        accept(c, message("1", "c1", "x"), sink);
        await().atMost(WAIT).until(() -> sink.count("delta:") == 1);
        emu.dropEventStreams(); // the older build drops the buffer with its only subscriber: re-subscribing is 404
        release.countDown();
        awaitTerminal(sink);
        assertThat(sink.events()).last().isEqualTo("final:one two");
        assertThat(c.stats().statusPolls()).isGreaterThanOrEqualTo(1);
        assertThat(sink.violations()).isEmpty();
    }

    @Test
    void runtimeDownMidRunThenUpDeliversTheReplyOnce() throws Exception {
        var release = new CountDownLatch(1);
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .script(r -> List.of(
                        new Step.Delta("a"), new Step.Await(release), new Step.Delta("b"), new Step.Complete(null)))
                .start();
        var c = connector();
        var sink = new RecordingSink();
        accept(c, message("1", "c1", "x"), sink);
        await().atMost(WAIT).until(() -> sink.count("delta:") == 1);
        emu.down(); // listener gone, process (and the run) alive
        await().atMost(WAIT).until(() -> c.stats().streamReconnects() >= 2); // re-opening fails while it is down
        emu.up();
        release.countDown();
        awaitTerminal(sink);
        assertThat(sink.eventsWithoutTyping()).containsExactly("start", "delta:a", "delta:ab", "final:ab");
        assertThat(emu.admittedRuns()).isEqualTo(1);
    }

    @Test
    void deliveryRetriedThroughAnOutageIsOneRun() throws Exception {
        emu = HermesApiEmulator.builder().apiKey(KEY).start();
        var c = connector();
        emu.down();
        var m = message("1", "c1", "through the outage");
        var sink = new RecordingSink();
        // what the delivery engine does: retry while retryable
        Accepted accepted = null;
        int attempts = 0;
        while (accepted == null) {
            attempts++;
            if (attempts == 3) {
                emu.up();
            }
            try {
                accepted = c.deliver(m, sink).toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertThat(((DeliveryException) e.getCause()).retryable()).isTrue();
            }
        }
        // a lost 202 (answer never read) makes the engine deliver again: still one run
        var again = accept(c, m, new RecordingSink());
        awaitTerminal(sink);
        assertThat(again.runRef()).isEqualTo(accepted.runRef());
        assertThat(emu.admittedRuns()).isEqualTo(1);
        assertThat(sink.events()).last().isEqualTo("final:echo: through the outage");
    }

    @Test
    void runtimeCrashMidRunEndsAsInterrupted() throws Exception {
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .script(r -> List.of(new Step.Delta("a"), new Step.Hang()))
                .start();
        var c = connector();
        var sink = new RecordingSink();
        accept(c, message("1", "c1", "x"), sink);
        await().atMost(WAIT).until(() -> sink.count("delta:") == 1);
        emu.restart();
        awaitTerminal(sink);
        assertThat(sink.events()).last().asString().startsWith("error:run_interrupted:");
        assertThat(emu.admittedRuns()).isEqualTo(1);
    }

    @Test
    void aRunCancelledByHermesShuttingDownIsSubmittedAgainNotReported() throws Exception {
        var calls = new AtomicInteger();
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .dialect(Dialect.OLDER)
                .script(r -> calls.incrementAndGet() == 1
                        ? List.of(new Step.Delta("half"), new Step.Hang())
                        : List.of(new Step.Delta("whole answer"), new Step.Complete(null)))
                .start();
        var c = connector();
        var sink = new RecordingSink();
        accept(c, message("1", "c1", "x"), sink);
        await().atMost(WAIT).until(() -> sink.count("delta:") == 1);
        emu.sigterm(); // run.cancelled on the stream, then the process is gone
        emu.up();
        awaitTerminal(sink);
        // the new run's deltas are withheld (deltas stay cumulative); its final replaces the lost run's text
        assertThat(sink.eventsWithoutTyping()).containsExactly("start", "delta:half", "final:whole answer");
        assertThat(sink.violations()).isEmpty();
        assertThat(emu.admittedRuns()).isEqualTo(2);
    }

    @Test
    void aRunStoppedWhileHermesStaysUpEndsAsCancelled() throws Exception {
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .dialect(Dialect.OLDER)
                .script(r -> List.of(new Step.Delta("a"), new Step.Hang()))
                .start();
        var c = connector();
        var sink = new RecordingSink();
        Accepted a = accept(c, message("1", "c1", "x"), sink);
        await().atMost(WAIT).until(() -> sink.count("delta:") == 1);
        var stop = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(emu.baseUrl().resolve("/v1/runs/" + a.runRef() + "/stop"))
                                .header("Authorization", "Bearer " + KEY)
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(stop.statusCode()).isEqualTo(200);
        awaitTerminal(sink);
        assertThat(sink.events()).last().asString().startsWith("error:run_cancelled:");
        assertThat(emu.admittedRuns()).isEqualTo(1);
    }

    @Test
    void bridgeRestartResumesTheRecordedRun() throws Exception {
        var release = new CountDownLatch(1);
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .script(r -> List.of(
                        new Step.Delta("part "),
                        new Step.Await(release),
                        new Step.Delta("rest"),
                        new Step.Complete(null)))
                .start();
        var before = connector();
        var m = message("1", "c1", "x");
        var first = new RecordingSink();
        Accepted a = accept(before, m, first);
        await().atMost(WAIT).until(() -> first.count("delta:") == 1);
        before.close(); // the bridge "crashes"; the core recorded a.runRef()
        release.countDown();

        var after = connector();
        var sink = new RecordingSink();
        Accepted resumed =
                after.resume(m, a.runRef(), sink).toCompletableFuture().get(10, TimeUnit.SECONDS);
        awaitTerminal(sink);
        assertThat(resumed.runRef()).isEqualTo(a.runRef());
        assertThat(sink.events()).last().isEqualTo("final:part rest");
        assertThat(emu.admittedRuns()).isEqualTo(1);
        assertThat(posts()).hasSize(1);
    }

    @Test
    void replayAfterTheJournalExpiredTakesTheFinalFromTheStatus() throws Exception {
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .eventRetention(Duration.ofMillis(50))
                .start();
        var c = connector();
        var m = message("1", "c1", "long ago");
        var first = new RecordingSink();
        Accepted a = accept(c, m, first);
        awaitTerminal(first);
        Thread.sleep(100); // the run's event journal expires (300 s in Hermes)

        // the bridge crashed before recording the final: the engine delivers again (no run ref) or resumes
        var redelivered = new RecordingSink();
        assertThat(accept(c, m, redelivered)).isEqualTo(new Accepted(a.runRef(), true));
        awaitTerminal(redelivered);
        assertThat(redelivered.events()).containsExactly("start", "final:echo: long ago");

        var resumed = new RecordingSink();
        c.resume(m, a.runRef(), resumed).toCompletableFuture().get(10, TimeUnit.SECONDS);
        awaitTerminal(resumed);
        assertThat(resumed.events()).containsExactly("start", "final:echo: long ago");
        assertThat(emu.admittedRuns()).isEqualTo(1);
        assertThat(c.stats().statusPolls()).isGreaterThanOrEqualTo(2);
    }

    // ---------------------------------------------------------------- approval

    @Test
    void approvalRoundTrip() throws Exception {
        emu = HermesApiEmulator.builder()
                .apiKey(KEY)
                .script(r -> List.of(
                        new Step.Approval(
                                "rm -rf /tmp/x",
                                List.of("once", "session", "always", "deny"),
                                r.input().equals("with id") ? "req-42" : null),
                        new Step.Complete("you chose ${choice}")))
                .start();
        var c = connector();
        for (String variant : List.of("with id", "without id")) {
            var sink = new RecordingSink();
            Accepted a = accept(c, message(variant, variant.replace(' ', '-'), variant), sink);
            await().atMost(WAIT).until(() -> sink.lastApprovalId() != null);
            assertThat(sink.count("approval:")).isEqualTo(1);
            assertThat(sink.events())
                    .anySatisfy(e -> assertThat(e)
                            .endsWith(":once/session/always/deny:The agent asks for approval (dangerous "
                                    + "command): rm -rf /tmp/x"));
            if (variant.equals("with id")) {
                assertThat(sink.lastApprovalId()).isEqualTo("req-42");
            }
            c.answerApproval(a.runRef(), sink.lastApprovalId(), "session")
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            awaitTerminal(sink);
            assertThat(sink.events()).last().isEqualTo("final:you chose session");
            var e = failure(c.answerApproval(a.runRef(), sink.lastApprovalId(), "deny"));
            assertThat(e.code()).isEqualTo("approval_not_pending");
        }
        var answers = emu.requests().stream()
                .filter(r -> r.path().endsWith("/approval"))
                .toList();
        assertThat(answers.get(0).body()).isEqualTo("{\"choice\":\"session\",\"request_id\":\"req-42\"}");
        assertThat(answers.get(2).body()).isEqualTo("{\"choice\":\"session\"}");
    }

    // ---------------------------------------------------------------- health

    @Test
    void healthReadsTheDetailedBody() throws Exception {
        emu = HermesApiEmulator.builder().apiKey(KEY).start();
        var c = connector();
        await().atMost(WAIT).until(() -> c.health().state() == RuntimeHealth.State.UP);
        assertThat(c.health().detail()).startsWith("status=ok");
        emu.readiness("degraded"); // the model check degrades; the gateway is fine
        await().atMost(WAIT).until(() -> c.health().detail().contains("model=degraded"));
        assertThat(c.health().state()).isEqualTo(RuntimeHealth.State.UP);
        assertThat(c.protocol()).isEqualTo("hermes-sse");
    }

    @Test
    void settingsRefuseNonHttpUrlsAndEmptyKeys() {
        assertThat(catchThrowable(() -> HermesSseSettings.of(URI.create("ws://127.0.0.1:8642"), KEY)))
                .hasMessageContaining("CLAW_RUNTIME_URL");
        assertThat(catchThrowable(() -> HermesSseSettings.of(URI.create("http://127.0.0.1:8642"), " ")))
                .hasMessageContaining("CLAW_RUNTIME_TOKEN");
    }
}
