package io.k8s4claw.bridge.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class LogfmtLoggingTest {

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    private LogfmtLogging logging(String level) {
        return new LogfmtLogging(level, new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writesLogfmtLinesWithKeyValuesAndQuotesEscaped() {
        LogfmtLogging logging = logging("INFO");
        logging.getLogger("io.k8s4claw.bridge.Demo")
                .atInfo()
                .addKeyValue("channel", "slack-main")
                .addKeyValue("attempt", 3)
                .log("sidecar said \"{}\"", "hi");
        logging.getLogger("io.k8s4claw.bridge.Demo").debug("below the level");
        logging.getLogger("io.netty.Noise").info("netty logs warnings only");
        logging.getLogger("okhttp3.OkHttpClient").info("okhttp logs warnings only");
        logging.getLogger("io.nettyish.NotNetty").info("a name that only starts like netty's");

        assertThat(out().lines()).hasSize(2);
        assertThat(out().lines().findFirst().orElseThrow())
                .matches("ts=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z level=INFO logger=Demo thread=\\S+"
                        + " msg=\"sidecar said \\\\\"hi\\\\\"\" channel=\"slack-main\" attempt=\"3\"");
        assertThat(out()).contains("logger=NotNetty").doesNotContain("below").doesNotContain("warnings only");
    }

    @Test
    void anExceptionIsTheErrorAndStackFieldsWhicheverWayItIsPassed() {
        Logger log = logging("INFO").getLogger("io.k8s4claw.bridge.Demo");
        log.warn("classic {}", "call", new IOException("disk full"));
        log.atError().setCause(new IllegalStateException("boom")).log("fluent cause");
        log.atWarn().log("fluent trailing {}", "argument", new IOException("trailing"));

        assertThat(out().lines()).hasSize(3);
        assertThat(out().lines().toList().get(0))
                .contains("level=WARN")
                .contains("msg=\"classic call\"")
                .contains("error=\"java.io.IOException: disk full\"")
                .contains("stack=\"java.io.IOException: disk full\\n\\tat ");
        assertThat(out().lines().toList().get(1))
                .contains("level=ERROR")
                .contains("error=\"java.lang.IllegalStateException: boom\"");
        assertThat(out().lines().toList().get(2))
                .contains("msg=\"fluent trailing argument\"")
                .contains("error=\"java.io.IOException: trailing\"");
    }

    @Test
    void theLevelComesFromClawLogLevelAndRaisesNettysToo() {
        LogfmtLogging debug = logging("debug");
        assertThat(debug.getLogger("a.B").isDebugEnabled()).isTrue();
        assertThat(debug.getLogger("a.B").isTraceEnabled()).isFalse();
        assertThat(debug.getLogger("io.netty.Channel").isInfoEnabled()).isFalse();
        assertThat(debug.getLogger("io.netty.Channel").isWarnEnabled()).isTrue();

        LogfmtLogging error = logging("ERROR");
        assertThat(error.getLogger("io.netty.Channel").isWarnEnabled()).isFalse();
        assertThat(error.getLogger("a.B").isErrorEnabled()).isTrue();

        assertThat(logging("OFF").getLogger("a.B").isErrorEnabled()).isFalse();
        assertThat(logging("nonsense").getLogger("a.B").isInfoEnabled()).isTrue();
        assertThat(logging("nonsense").getLogger("a.B").isDebugEnabled()).isFalse();
    }
}
