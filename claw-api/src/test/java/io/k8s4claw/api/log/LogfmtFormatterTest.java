package io.k8s4claw.api.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class LogfmtFormatterTest {

    @Test
    void clawLogLevelIsReadAsJulsLevelAndUnknownIsInfo() {
        assertThat(LogfmtFormatter.levelOf("trace")).isEqualTo(Level.ALL);
        assertThat(LogfmtFormatter.levelOf(" DEBUG ")).isEqualTo(Level.FINE);
        assertThat(LogfmtFormatter.levelOf("Info")).isEqualTo(Level.INFO);
        assertThat(LogfmtFormatter.levelOf("warning")).isEqualTo(Level.WARNING);
        assertThat(LogfmtFormatter.levelOf("ERROR")).isEqualTo(Level.SEVERE);
        assertThat(LogfmtFormatter.levelOf("off")).isEqualTo(Level.OFF);
        assertThat(LogfmtFormatter.levelOf("verbose")).isEqualTo(Level.INFO);
    }

    @Test
    void eachLevelNameReadsBackAsItself() {
        for (String name : new String[] {"TRACE", "DEBUG", "INFO", "WARN", "ERROR"}) {
            assertThat(LogfmtFormatter.level(LogfmtFormatter.levelOf(name))).isEqualTo(name);
        }
    }
}
