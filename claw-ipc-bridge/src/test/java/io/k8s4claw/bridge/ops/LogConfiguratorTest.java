package io.k8s4claw.bridge.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogConfiguratorTest {

    @Test
    void writesLogfmtLinesWithKeyValuesAndQuotesEscaped() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        try {
            context.setMDCAdapter(new LogbackMDCAdapter()); // the slf4j provider does this in a real JVM
            context.start();
            OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
            appender.setOutputStream(captured);
            LogConfigurator.configure(context, "INFO", appender);
            context.getLogger("io.k8s4claw.bridge.Demo")
                    .atInfo()
                    .addKeyValue("channel", "slack-main")
                    .log("sidecar said \"hi\"");
            context.getLogger("io.k8s4claw.bridge.Demo").debug("below the level");
            context.getLogger("io.netty.Noise").info("netty logs warnings only");
        } finally {
            context.stop();
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(out.lines()).hasSize(1);
        assertThat(out)
                .matches("ts=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z level=INFO logger=Demo thread=\\S+"
                        + " msg=\"sidecar said \\\\\"hi\\\\\"\" channel=\"slack-main\"\\R");
    }
}
