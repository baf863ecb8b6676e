package io.k8s4claw.channel.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TelegramMarkdownTest {
    @Test
    void escapesEveryReservedCharacterOutsideCode() {
        String raw = "_*[]()~>#+-=|{}.!\\";
        String escaped = TelegramMarkdown.escape(raw);
        assertThat(escaped).isEqualTo("\\_\\*\\[\\]\\(\\)\\~\\>\\#\\+\\-\\=\\|\\{\\}\\.\\!\\\\");
        assertThat(FakeTelegram.checkMarkdownV2(escaped)).isNull();
    }

    @Test
    void keepsCodeFormattedAndEscapesOnlyBacktickAndBackslashInside() {
        assertThat(TelegramMarkdown.escape("run `a.b()` now.")).isEqualTo("run `a.b()` now\\.");
        assertThat(TelegramMarkdown.escape("```js\nx.y = 1;\n```")).isEqualTo("```js\nx.y = 1;\n```");
        assertThat(TelegramMarkdown.escape("```\na\\b\n```")).isEqualTo("```\na\\\\b\n```");
        assertThat(TelegramMarkdown.escape("unclosed ` tick.")).isEqualTo("unclosed \\` tick\\.");
    }
}
