package io.k8s4claw.channel.slack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlackMrkdwnTest {
    static final SlackMrkdwn.Allow LINKS = new SlackMrkdwn.Allow(true, false);
    static final SlackMrkdwn.Allow MENTIONS = new SlackMrkdwn.Allow(false, true);
    static final SlackMrkdwn.Allow SAFE = SlackMrkdwn.Allow.SAFE;

    @Test
    void convertsMarkdownOutsideCodeOnly() {
        assertThat(SlackMrkdwn.fromMarkdown("**bold** and [docs](https://k8s.io/docs)", LINKS))
                .isEqualTo("*bold* and <https://k8s.io/docs|docs>");
        assertThat(SlackMrkdwn.fromMarkdown("## Steps\n1. go", SAFE)).isEqualTo("*Steps*\n1. go");
        assertThat(SlackMrkdwn.fromMarkdown("`**x**` and ```\n**y**\n```", SAFE))
                .isEqualTo("`**x**` and ```\n**y**\n```");
    }

    @Test
    void broadcastMentionsFromModelOutputAreEscapedWhateverIsAllowed() {
        for (SlackMrkdwn.Allow allow :
                new SlackMrkdwn.Allow[] {SAFE, LINKS, MENTIONS, new SlackMrkdwn.Allow(true, true)}) {
            String hostile = "Hey <!channel> and <!here>, <!everyone> and <!subteam^S012AB|@oncall> look";
            String out = SlackMrkdwn.fromMarkdown(hostile, allow);
            assertThat(out)
                    .as("allow %s", allow)
                    .isEqualTo("Hey &lt;!channel&gt; and &lt;!here&gt;, &lt;!everyone&gt; and "
                            + "&lt;!subteam^S012AB|@oncall&gt; look")
                    .doesNotContain("<");
            assertThat(SlackMrkdwn.plain(hostile, allow))
                    .as("plain text, allow %s", allow)
                    .doesNotContain("<")
                    .doesNotContain(">");
        }
    }

    @Test
    void controlSequencesInsideCodeAreEscapedToo() {
        // Slack parses <!here> inside backticks as well; escaped it shows as the characters.
        assertThat(SlackMrkdwn.fromMarkdown("`<!here>` and ```\nif a < b && c > d: <!channel>\n```", SAFE))
                .isEqualTo("`&lt;!here&gt;` and ```\nif a &lt; b &amp;&amp; c &gt; d: &lt;!channel&gt;\n```");
        assertThat(SlackMrkdwn.fromMarkdown("```\nunclosed <!channel>", SAFE))
                .isEqualTo("```\nunclosed &lt;!channel&gt;");
    }

    @Test
    void slackLinkSyntaxFromTheModelCannotDisguiseALink() {
        String hostile = "Log in at <https://evil.example/steal|https://sso.company.com>";
        assertThat(SlackMrkdwn.fromMarkdown(hostile, LINKS))
                .isEqualTo("Log in at &lt;https://evil.example/steal|https://sso.company.com&gt;");
    }

    @Test
    void markdownLinksShowTheirUrlUnlessLabeledLinksAreAllowed() {
        String md = "see [the SSO page](https://evil.example/?a=1&b=2)";
        assertThat(SlackMrkdwn.fromMarkdown(md, SAFE))
                .isEqualTo("see the SSO page (https://evil.example/?a=1&amp;b=2)");
        assertThat(SlackMrkdwn.fromMarkdown(md, LINKS))
                .isEqualTo("see <https://evil.example/?a=1&amp;b=2|the SSO page>");
        assertThat(SlackMrkdwn.fromMarkdown("[https://k8s.io](https://k8s.io)", SAFE))
                .isEqualTo("https://k8s.io");
        // A label cannot close the link early or open a control sequence of its own.
        assertThat(SlackMrkdwn.fromMarkdown("[a> <!here](https://k8s.io)", LINKS))
                .isEqualTo("<https://k8s.io|a&gt; &lt;!here>");
        // A URL with control characters is not a link: it stays text, escaped.
        assertThat(SlackMrkdwn.fromMarkdown("[x](https://a|<!here>)", LINKS)).isEqualTo("[x](https://a|&lt;!here&gt;)");
    }

    @Test
    void userAndChannelMentionsAreKeptOnlyWhenAllowed() {
        String md = "ask <@U012ABCDEF> in <#C0123ABC>, not <@U012ABCDEF|the boss>";
        assertThat(SlackMrkdwn.fromMarkdown(md, SAFE))
                .isEqualTo("ask &lt;@U012ABCDEF&gt; in &lt;#C0123ABC&gt;, not &lt;@U012ABCDEF|the boss&gt;");
        assertThat(SlackMrkdwn.fromMarkdown(md, MENTIONS))
                .isEqualTo("ask <@U012ABCDEF> in <#C0123ABC>, not &lt;@U012ABCDEF|the boss&gt;");
        assertThat(SlackMrkdwn.plain(md, MENTIONS))
                .isEqualTo("ask <@U012ABCDEF> in <#C0123ABC>, not &lt;@U012ABCDEF|the boss&gt;");
    }

    @Test
    void ampersandsAndAnglesArePlainTextEverywhere() {
        assertThat(SlackMrkdwn.fromMarkdown("R&D: 1 < 2 > 0 &amp; **x**", SAFE))
                .isEqualTo("R&amp;D: 1 &lt; 2 &gt; 0 &amp;amp; *x*");
        assertThat(SlackMrkdwn.plain("**not markdown** [a](https://b) <!here>", SAFE))
                .isEqualTo("**not markdown** [a](https://b) &lt;!here&gt;");
    }
}
