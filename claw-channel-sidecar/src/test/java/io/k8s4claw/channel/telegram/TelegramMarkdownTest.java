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

    @Test
    void hostileModelOutputCannotFormALinkOrAMention() {
        // In MarkdownV2, [text](url) disguises a link and [text](tg://user?id=…) mentions a user: the model's
        // brackets and parentheses are escaped, so both show as typed.
        String hostile =
                "log in at [https://sso.corp](https://evil.example) and ping [boss](tg://user?id=123456) *now*";
        String escaped = TelegramMarkdown.escape(hostile);
        assertThat(escaped)
                .isEqualTo("log in at \\[https://sso\\.corp\\]\\(https://evil\\.example\\) and ping "
                        + "\\[boss\\]\\(tg://user?id\\=123456\\) \\*now\\*");
        assertThat(FakeTelegram.checkMarkdownV2(escaped)).isNull();
        assertThat(escaped.replaceAll("\\\\(.)", "$1"))
                .as("what Telegram shows")
                .isEqualTo(hostile);
    }

    @Test
    void aBackslashCannotUnescapeTheNextCharacterOrBreakOutOfCode() {
        String hostile = "\\[x](tg://user?id=1) and `a\\` [y](https://evil.example) ```\n\\```";
        String escaped = TelegramMarkdown.escape(hostile);
        assertThat(FakeTelegram.checkMarkdownV2(escaped)).isNull();
        assertThat(escaped)
                .startsWith("\\\\\\[x\\]")
                .contains("`a\\\\`")
                .contains("\\[y\\]\\(https://evil\\.example\\)");
    }
}
