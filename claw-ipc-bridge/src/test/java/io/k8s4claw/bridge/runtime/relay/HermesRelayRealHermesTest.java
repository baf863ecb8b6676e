package io.k8s4claw.bridge.runtime.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.k8s4claw.api.bus.v1.ChannelCapabilities;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Sender;
import io.k8s4claw.api.bus.v1.StopRequest;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.bridge.Bridge;
import io.k8s4claw.bridge.testing.TestConfigs;
import io.k8s4claw.bridge.testing.TestSidecar;
import io.k8s4claw.bridge.wal.FileStore;
import io.k8s4claw.testkit.hermes.RealHermes;
import io.k8s4claw.testkit.install.CachedInstall;
import io.k8s4claw.testkit.llm.FakeOpenAiServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay connector ({@code hermes-relay}) inside the bridge, with the real Hermes Agent's relay adapter
 * (hermes-agent 0.19.0's {@code gateway/relay}) dialling in, as the hermesclaw adapter configures it
 * ({@code GATEWAY_RELAY_URL/ID/SECRET/PLATFORMS}).
 */
class HermesRelayRealHermesTest {

    private static final String SECRET = "5f0e1d2c3b4a59687766554433221100ffeeddccbbaa99887766554433221100";
    private static final Duration TURN = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private FakeOpenAiServer model;
    private Bridge bridge;
    private HermesRelayConnector relay;
    private RealHermes hermes;

    @BeforeEach
    void startModel() {
        model = FakeOpenAiServer.start();
    }

    @AfterEach
    void stopAll() {
        if (hermes != null) {
            hermes.close();
        }
        if (bridge != null) {
            bridge.close();
        }
        model.close();
    }

    private void startBridge(int port) throws Exception {
        relay = new HermesRelayConnector(RelaySettings.defaults(port, SECRET), Clock.systemUTC());
        bridge = Bridge.start(TestConfigs.config(dir), relay, FileStore.DEFAULT);
    }

    private TestSidecar telegram() throws Exception {
        TestSidecar telegram = TestSidecar.connect(dir.resolve("bus.sock"));
        telegram.send(telegram.frames()
                .hello(
                        "tg-main",
                        "telegram",
                        "tg-0",
                        0,
                        ChannelCapabilities.newBuilder()
                                .setMaxMessageLength(4096)
                                .setLengthUnit(ChannelCapabilities.LengthUnit.UTF16_UNITS)
                                .setSupportsEdit(true)
                                .addAllSupportedOps(List.of("send", "edit"))
                                .setMarkdownDialect("markdown")
                                .build(),
                        "test"));
        assertThat(telegram.await(f -> f.hasWelcome() || f.hasError(), TURN).hasWelcome())
                .isTrue();
        return telegram;
    }

    private RealHermes.Builder hermes(String secret) {
        return RealHermes.builder()
                .root(dir.resolve("hermes"))
                .configYaml(RealHermes.modelConfig(model.baseUrl()))
                .env("GATEWAY_RELAY_URL", "http://127.0.0.1:" + relay.port())
                .env("GATEWAY_RELAY_ID", "gw-hermes-test")
                .env("GATEWAY_RELAY_SECRET", secret)
                .env("GATEWAY_RELAY_PLATFORMS", "telegram");
    }

    private static void sendUser(TestSidecar telegram, String id, String text) throws Exception {
        telegram.send(telegram.frames()
                .userMessage(UserMessage.newBuilder()
                        .setMessageId(id)
                        .setConversationId("123456789")
                        .setPlatformMessageId("p-" + id)
                        .setSender(Sender.newBuilder().setId("123456789").setDisplayName("Ada"))
                        .setText(text)
                        .build()));
    }

    /** Acks every reply and answers heartbeats, as a live channel does, until {@code done}. */
    private static void pumpUntil(TestSidecar telegram, BooleanSupplier done) throws Exception {
        long deadline = System.nanoTime() + TURN.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within " + TURN).isLessThan(deadline);
            Frame f = telegram.poll(Duration.ofMillis(100));
            if (f != null && f.hasHeartbeat() && !f.getHeartbeat().getResponse()) {
                telegram.send(telegram.frames().heartbeatResponse(f.getHeartbeat(), System.currentTimeMillis()));
            } else if (f != null && f.hasReply()) {
                telegram.send(telegram.frames()
                        .replyAck(
                                f.getReply().getReplySeq(),
                                true,
                                "",
                                false,
                                List.of("pm-" + f.getReply().getReplySeq())));
            }
        }
    }

    /**
     * Waits for a final reply starting with {@code expected} (the fake model echoes the whole user turn, to which
     * the gateway appends its own notes); acks every reply with a platform message id. Returns the final's text.
     */
    private String awaitAnswer(TestSidecar telegram, String expected) throws Exception {
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TURN.toNanos();
        while (System.nanoTime() < deadline) {
            Frame f = telegram.poll(Duration.ofMillis(200));
            if (f != null && f.hasHeartbeat() && !f.getHeartbeat().getResponse()) {
                // a live sidecar answers the bridge's heartbeats (3 silent intervals close the connection)
                telegram.send(telegram.frames().heartbeatResponse(f.getHeartbeat(), System.currentTimeMillis()));
            }
            if (f == null || !f.hasReply()) {
                continue;
            }
            var r = f.getReply();
            telegram.send(
                    telegram.frames().replyAck(r.getReplySeq(), true, "", false, List.of("pm-" + r.getReplySeq())));
            String text = r.hasFinal()
                    ? r.getFinal().getText()
                    : r.hasEdit()
                            ? r.getEdit().getText()
                            : r.hasDelta() ? r.getDelta().getText() : "";
            seen.append(r.hasFinal() ? "final" : r.hasEdit() ? "edit" : r.hasDelta() ? "delta" : "other")
                    .append(':')
                    .append(text)
                    .append('\n');
            if (r.hasFinal() && text.startsWith(expected)) {
                return text;
            }
        }
        throw new AssertionError("no reply '" + expected + "' within " + TURN + "; saw:\n" + seen + "model requests: "
                + model.requests().size() + "\nHermes log:\n"
                + CachedInstall.tail(hermes.logFile(), 40) + hermesLogs());
    }

    /**
     * Hermes 0.19.0 queues inbound messages while its startup restore runs and, for a relay-fronted platform,
     * did not answer a message queued then (see runtime-hermes-relay.md): send only once the gateway logged the
     * end of its startup.
     */
    private void awaitStartupRestoreDone() {
        await().atMost(TURN).until(this::startupRestoreDone);
    }

    private boolean startupRestoreDone() throws IOException {
        Path log = hermes.home().resolve("logs/gateway.log");
        return Files.exists(log) && Files.readString(log).contains("Press Ctrl+C to stop");
    }

    /** A condition that may read files (Hermes's logs) to decide. */
    private interface Check {
        boolean holds() throws Exception;
    }

    /**
     * Waits up to {@link #TURN} for {@code done} while answering the bridge's heartbeats as a live channel does;
     * every other frame goes to {@code received}, unanswered.
     */
    private static void stayLiveUntil(TestSidecar telegram, Check done, List<Frame> received) throws Exception {
        long deadline = System.nanoTime() + TURN.toNanos();
        while (!done.holds()) {
            assertThat(System.nanoTime()).as("condition within " + TURN).isLessThan(deadline);
            Frame f = telegram.poll(Duration.ofMillis(100));
            if (f != null && f.hasHeartbeat() && !f.getHeartbeat().getResponse()) {
                telegram.send(telegram.frames().heartbeatResponse(f.getHeartbeat(), System.currentTimeMillis()));
            } else if (f != null) {
                received.add(f);
            }
        }
    }

    private String hermesLogs() throws IOException {
        StringBuilder b = new StringBuilder();
        try (var files = Files.list(hermes.home().resolve("logs"))) {
            for (Path f : files.toList()) {
                b.append("\n== ").append(f.getFileName()).append('\n').append(CachedInstall.tail(f, 40));
            }
        }
        return b.toString();
    }

    @Test
    void hermesDialsTheBridgeAndAnswersAnInboundMessageThroughOutboundSend() throws Exception {
        startBridge(0);
        try (TestSidecar telegram = telegram()) {
            hermes = hermes(SECRET).start();
            await().atMost(TURN).until(() -> relay.health().isUp());
            awaitStartupRestoreDone();
            String text = "hello over the relay " + System.nanoTime();
            sendUser(telegram, "upd-1", text);
            assertThat(telegram.await(Frame::hasAck, TURN).getAck().getMessageId())
                    .isEqualTo("upd-1");
            assertThat(awaitAnswer(telegram, "echo: " + text)).startsWith("echo: " + text);
            assertThat(model.requests())
                    .anySatisfy(r -> assertThat(r.lastUserText()).startsWith(text));
        }
    }

    @Test
    void aWrongSecretIsRefusedWith4401AndHermesStaysOffTheRelay() throws Exception {
        startBridge(0);
        try (TestSidecar telegram = telegram()) {
            hermes = hermes("0".repeat(64)).start();
            await().atMost(TURN).until(() -> Files.readString(hermes.logFile()).contains("4401"));
            assertThat(relay.health().isUp()).isFalse();
        }
    }

    @Test
    void theLinkComesBackAfterABridgeRestart() throws Exception {
        startBridge(0);
        int port = relay.port();
        try (TestSidecar telegram = telegram()) {
            hermes = hermes(SECRET).start();
            await().atMost(TURN).until(() -> relay.health().isUp());
            awaitStartupRestoreDone();
        }
        bridge.close();
        startBridge(port); // same port and secret: Hermes re-dials with its own backoff
        try (TestSidecar telegram = telegram()) {
            await().atMost(TURN).until(() -> relay.health().isUp());
            String text = "after the bridge restart " + System.nanoTime();
            sendUser(telegram, "upd-2", text);
            assertThat(awaitAnswer(telegram, "echo: " + text)).startsWith("echo: " + text);
        }
    }
    /**
     * Hermes's own limit (issue #15, runtime-hermes-relay.md): a cron job of 0.19.0 whose delivery names the
     * relay-fronted platform ({@code deliver: telegram:<chat>}) runs, but its delivery fails in Hermes's scheduler
     * with "platform 'telegram' not configured/enabled" — the fronted platform is not an enabled platform of its
     * own — and nothing is sent over the relay, so the channel gets no proactive message. The job is made with
     * Hermes's own {@code cron.jobs.create_job} and made due, so the scheduler's first tick at gateway start runs
     * it. Fails once a Hermes delivers cron output through the relay.
     */
    @Test
    void hermes019CronOutputForARelayFrontedPlatformFailsInHermesAndNeverReachesTheChannel() throws Exception {
        startBridge(0);
        try (TestSidecar telegram = telegram()) {
            hermes = hermes(SECRET).build();
            String marker = "cron marker-relay-cron-" + System.nanoTime();
            Files.createDirectories(hermes.home());
            ProcessBuilder pb = new ProcessBuilder(
                            hermes.installation().python().toString(),
                            "-c",
                            String.join(
                                    "\n",
                                    "import datetime",
                                    "from cron.jobs import create_job, update_job",
                                    "job = create_job(prompt='" + marker
                                            + "', schedule='30m', deliver='telegram:123456789', repeat=1, "
                                            + "name='relay-cron')",
                                    "due = (datetime.datetime.now(datetime.timezone.utc) - "
                                            + "datetime.timedelta(minutes=1)).isoformat()",
                                    "update_job(job['id'], {'next_run_at': due})",
                                    "print(job['id'])"))
                    .redirectErrorStream(true);
            pb.environment().put("HERMES_HOME", hermes.home().toString());
            pb.environment()
                    .put("HOME", dir.resolve("hermes").resolve("user-home").toString());
            Process create = pb.start();
            String created = new String(create.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(create.waitFor()).as(created).isZero();

            hermes.start();
            // the channel stays live while Hermes starts and runs the job (a turn can outlast the bridge's three
            // heartbeat intervals); every other frame is kept for the check below
            List<Frame> received = new ArrayList<>();
            stayLiveUntil(telegram, () -> relay.health().isUp(), received);
            // the job ran (the agent's turn reached the model) and its delivery failed in Hermes
            stayLiveUntil(
                    telegram,
                    () -> model.requests().stream()
                            .anyMatch(r -> r.lastUserText().contains(marker)),
                    received);
            stayLiveUntil(
                    telegram, () -> hermesLogs().contains("platform 'telegram' not configured/enabled"), received);
            System.out.println("cron over the relay, Hermes 0.19.0: "
                    + hermesLogs()
                            .lines()
                            .filter(l -> l.contains("not configured/enabled"))
                            .findFirst()
                            .orElse(""));
            // the channel got nothing: no Reply by the time Hermes logged the failed delivery (a relay send would
            // have come before it), and the link itself works — a user message sent now is answered
            stayLiveUntil(telegram, this::startupRestoreDone, received);
            received.addAll(telegram.drainReceived());
            assertThat(received).noneSatisfy(f -> assertThat(f.hasReply()).isTrue());
            String text = "after the cron job " + System.nanoTime();
            sendUser(telegram, "upd-cron", text);
            assertThat(awaitAnswer(telegram, "echo: " + text)).startsWith("echo: " + text);
        }
    }
    /**
     * Hermes's own limit (issue #15, runtime-hermes-relay.md): 0.19.0 dials the relay before its startup restore has
     * finished and queues inbound messages that arrive meanwhile; draining that queue looks the adapter up by the
     * event's platform — the fronted {@code telegram}, which has no adapter of its own — and drops the message
     * (logged at debug only). The message, acked by the bridge and handed to Hermes, is never answered. It is
     * sent before Hermes starts, so the bridge hands it over as soon as the relay is up, inside the window.
     */
    @Test
    void hermes019DropsAMessageArrivingOverTheRelayDuringItsStartupRestore() throws Exception {
        startBridge(0);
        try (TestSidecar telegram = telegram()) {
            String early = "in the startup window " + System.nanoTime();
            sendUser(telegram, "upd-early", early);
            assertThat(telegram.await(Frame::hasAck, TURN).getAck().getMessageId())
                    .isEqualTo("upd-early");
            hermes = hermes(SECRET).start();
            await().atMost(TURN).until(() -> relay.health().isUp());
            awaitStartupRestoreDone();
            String gatewayLog = Files.readString(hermes.home().resolve("logs/gateway.log"));
            assertThat(gatewayLog)
                    .as("the message reached Hermes inside its startup restore (the window this test is about)")
                    .contains(
                            "Queued inbound message during gateway startup restore: platform=telegram chat=123456789");
            System.out.println("relay startup window, Hermes 0.19.0: "
                    + gatewayLog
                            .lines()
                            .filter(l -> l.contains("Queued inbound message during gateway startup restore"))
                            .findFirst()
                            .orElse(""));

            // a message sent after the restore is answered; the early one never was
            String later = "after the startup window " + System.nanoTime();
            sendUser(telegram, "upd-later", later);
            assertThat(awaitAnswer(telegram, "echo: " + later)).startsWith("echo: " + later);
            assertThat(model.requests())
                    .as("the early message never reached the agent")
                    .noneSatisfy(r -> assertThat(r.lastUserText()).contains(early));
        }
    }
    /**
     * Stop over the relay: the relay cannot stop a run by reference, so the bridge hands the channel's StopRequest
     * to Hermes as the text {@code /stop} of that chat, which 0.19.0 reads as its own command — it interrupts the
     * running turn, releases the session and answers with its stop notice; the interrupted turn's answer is
     * discarded. (What comes after is not shown here: the next message reached Hermes only 30 s later and its
     * reply did not reach the channel, the same with /stop sent as a plain message — see runtime-hermes-relay.md.)
     */
    @Test
    void aStopRequestReachesHermesOverTheRelayAsItsOwnStopCommand() throws Exception {
        startBridge(0);
        try (TestSidecar telegram = telegram()) {
            hermes = hermes(SECRET).start();
            await().atMost(TURN).until(() -> relay.health().isUp());
            awaitStartupRestoreDone();
            model.holdAgentTurns();
            String text = "a very long answer please " + System.nanoTime();
            sendUser(telegram, "upd-long", text);
            pumpUntil(telegram, () -> model.heldTurns() >= 1); // Hermes's typing acked as a platform would

            telegram.send(telegram.frames()
                    .frame(b -> b.setStopRequest(StopRequest.newBuilder()
                            .setConversationId("123456789")
                            .setSender(Sender.newBuilder().setId("123456789").setDisplayName("Ada")))));
            String notice = awaitAnswer(telegram, ""); // the first final, every reply acked as a platform would
            System.out.println("stop over the relay, Hermes 0.19.0 answered: " + notice);
            assertThat(notice).doesNotStartWith("echo: ");
            assertThat(Files.readString(hermes.home().resolve("logs/gateway.log")))
                    .contains("agent interrupted, session lock released");
            model.release();
            // the interrupted turn's answer is discarded by Hermes (its run generation is stale), never sent
            await().atMost(TURN)
                    .until(() -> Files.readString(hermes.home().resolve("logs/gateway.log"))
                            .contains("Discarding stale agent result for agent:main:telegram:dm:123456789"));
        }
    }
}
