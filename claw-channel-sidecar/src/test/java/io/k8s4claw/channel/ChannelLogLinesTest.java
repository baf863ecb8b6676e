package io.k8s4claw.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.api.log.Logfmt;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import okhttp3.internal.platform.Platform;
import org.junit.jupiter.api.Test;

/**
 * The sidecar's logging as {@link ChannelMain} sets it up (issue #20 item 3): its own System.Logger records and
 * every library's java.util.logging records (OkHttp's leaked-connection warning through OkHttp's own path) are
 * one logfmt line each on stderr, and the values of the secret environment variables appear in none.
 */
class ChannelLogLinesTest {

    private static final String BOT_TOKEN = "123456789:AAE-telegram-bot-token-xyz";
    private static final Pattern LOGFMT = Pattern.compile(
            "ts=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z level=(TRACE|DEBUG|INFO|WARN|ERROR) "
                    + "logger=[^\\s\"=]+"
                    + " thread=\"(?:[^\"\\\\]++|\\\\.)*+\" msg=\"(?:[^\"\\\\]++|\\\\.)*+\"( "
                    + "[^\\s\"=]+=\"(?:[^\"\\\\]++|\\\\.)*+\")*");

    @Test
    void systemLoggerAndLibraryRecordsAreOneLogfmtLineEachWithSecretsRedacted() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        System.setErr(new PrintStream(
                captured, true, StandardCharsets.UTF_8)); // the console handler takes System.err when made
        try {
            ChannelMain.configureLogging(
                    Map.of("TELEGRAM_BOT_TOKEN", BOT_TOKEN, "CHANNEL_TYPE", "telegram", "CLAW_LOG_LEVEL", "INFO"));
            System.getLogger("io.k8s4claw.channel.telegram.TelegramChannel")
                    .log(
                            System.Logger.Level.INFO,
                            "polling {0}",
                            "https://api.telegram.org/bot" + BOT_TOKEN + "/getUpdates");
            Platform.get()
                    .logCloseableLeak(
                            "A connection to https://api.telegram.org/ was leaked. Did you forget to close a "
                                    + "response body?",
                            new Throwable("response body allocated here"));
            Logger.getLogger("org.example.SomeLibrary").warning("first line\nsecond \"line\"");
            System.getLogger("io.k8s4claw.channel.Probe").log(System.Logger.Level.DEBUG, "below the level");
        } finally {
            System.setErr(stderr);
            LogManager.getLogManager().readConfiguration(); // the JDK's default logging for the rest of this JVM
            Logfmt.redactSecretsOf(Map.of());
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        List<String> lines = out.lines().toList();
        assertThat(lines).as(out).hasSize(3).allSatisfy(line -> assertThat(line).matches(LOGFMT));
        assertThat(lines.get(0))
                .contains(" level=INFO logger=TelegramChannel thread=\"main\""
                        + " msg=\"polling https://api.telegram.org/bot[redacted]/getUpdates\"");
        assertThat(lines.get(1))
                .contains(" level=WARN logger=OkHttpClient thread=\"main\" msg=\"A connection to "
                        + "https://api.telegram.org/ was leaked.")
                .contains(" error=\"java.lang.Throwable: response body allocated here\"")
                .contains(" stack=\"java.lang.Throwable: response body allocated here\\n\\tat "
                        + getClass().getName());
        assertThat(lines.get(2))
                .contains(" level=WARN logger=SomeLibrary thread=\"main\" msg=\"first line\\nsecond \\\"line\\\"\"");
        assertThat(out).doesNotContain(BOT_TOKEN).doesNotContain("below the level");
    }
}
