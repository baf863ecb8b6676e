package io.k8s4claw.channel.slack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlackMrkdwnTest {
    @Test
    void convertsMarkdownOutsideCodeOnly() {
        assertThat(SlackMrkdwn.fromMarkdown("**bold** and [docs](https://k8s.io/docs)")).isEqualTo("*bold* and <https://k8s.io/docs|docs>");
        assertThat(SlackMrkdwn.fromMarkdown("## Steps\n1. go")).isEqualTo("*Steps*\n1. go");
        assertThat(SlackMrkdwn.fromMarkdown("`**x**` and ```\n**y**\n```")).isEqualTo("`**x**` and ```\n**y**\n```");
    }
}
