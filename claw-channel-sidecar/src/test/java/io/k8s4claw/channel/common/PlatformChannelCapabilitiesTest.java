package io.k8s4claw.channel.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.api.bus.v1.ChannelCapabilities;
import io.k8s4claw.api.bus.v1.ChannelCapabilities.LengthUnit;
import org.junit.jupiter.api.Test;

class PlatformChannelCapabilitiesTest {

    @Test
    void opsFollowFromEditAndTypingSupport() {
        ChannelCapabilities all =
                PlatformChannel.capabilities(4096, LengthUnit.UTF16_UNITS, true, true, "telegram-markdownv2");
        assertThat(all.getSupportedOpsList()).containsExactly("send", "edit", "typing");
        assertThat(all.getMaxMessageLength()).isEqualTo(4096);
        assertThat(all.getLengthUnit()).isEqualTo(LengthUnit.UTF16_UNITS);
        assertThat(all.getSupportsThreads()).isTrue();
        assertThat(all.getMarkdownDialect()).isEqualTo("telegram-markdownv2");

        ChannelCapabilities editOnly =
                PlatformChannel.capabilities(4000, LengthUnit.CHARACTERS, true, false, "slack-mrkdwn");
        assertThat(editOnly.getSupportedOpsList()).containsExactly("send", "edit");
        assertThat(editOnly.getSupportsTyping()).isFalse();

        ChannelCapabilities sendOnly =
                PlatformChannel.capabilities(0, LengthUnit.CHARACTERS, false, false, "commonmark");
        assertThat(sendOnly.getSupportedOpsList()).containsExactly("send");
        assertThat(sendOnly.getSupportsEdit()).isFalse();
    }
}
