package io.k8s4claw.channel.slack;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Markdown (what agents write) to Slack mrkdwn, outside code: {@code **bold**} → {@code *bold*},
 * {@code [text](url)} → {@code <url|text>}, {@code # Heading} → {@code *Heading*}. Code spans and fenced
 * blocks are left untouched (the fence syntax is the same).
 */
final class SlackMrkdwn {
    private static final Pattern BOLD = Pattern.compile("\\*\\*(.+?)\\*\\*");
    private static final Pattern LINK = Pattern.compile("\\[([^\\]]+)]\\((https?://[^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.+)$");

    private SlackMrkdwn() {}

    static String fromMarkdown(String text) {
        StringBuilder out = new StringBuilder(text.length());
        String[] parts = text.split("(?=```)|(?<=```)", -1);
        boolean inFence = false;
        StringBuilder segment = new StringBuilder();
        for (String part : parts) {
            if (part.equals("```")) {
                if (!inFence) {
                    out.append(convertInline(segment.toString()));
                    segment.setLength(0);
                } else {
                    out.append(segment);
                    segment.setLength(0);
                }
                out.append(part);
                inFence = !inFence;
            } else {
                segment.append(part);
            }
        }
        out.append(inFence ? segment.toString() : convertInline(segment.toString()));
        return out.toString();
    }

    private static String convertInline(String s) {
        // Leave `code spans` alone: convert only between them.
        StringBuilder out = new StringBuilder();
        String[] pieces = s.split("`", -1);
        for (int i = 0; i < pieces.length; i++) {
            if (i > 0) out.append('`');
            out.append(i % 2 == 1 ? pieces[i] : convertPlain(pieces[i]));
        }
        return out.toString();
    }

    private static String convertPlain(String s) {
        s = HEADING.matcher(s).replaceAll(m -> Matcher.quoteReplacement("*" + m.group(1).strip() + "*"));
        s = BOLD.matcher(s).replaceAll(m -> Matcher.quoteReplacement("*" + m.group(1) + "*"));
        s = LINK.matcher(s).replaceAll(m -> Matcher.quoteReplacement("<" + m.group(2) + "|" + m.group(1) + ">"));
        return s;
    }
}
