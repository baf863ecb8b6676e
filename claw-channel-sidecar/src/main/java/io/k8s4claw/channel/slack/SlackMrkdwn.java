package io.k8s4claw.channel.slack;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Model output (Markdown) to Slack message text. Slack treats {@code &}, {@code <} and {@code >} as control
 * characters everywhere in a message, code included: {@code <!channel>}, {@code <!here>},
 * {@code <!everyone>}, {@code <!subteam^…>} notify many people, {@code <@U…>} and {@code <#C…>} mention, and
 * {@code <url|text>} shows {@code text} for any {@code url}. So every {@code &}, {@code <} and {@code >} the
 * model wrote is sent as {@code &amp;}, {@code &lt;}, {@code &gt;} (Slack shows them as the characters), and
 * only the sidecar itself writes control sequences, where {@link Allow} permits:
 * <ul>
 *   <li>a Markdown link {@code [text](https://…)} becomes {@code <url|text>} with {@code labeledLinks},
 *       otherwise {@code text (url)}: Slack links the bare URL, so the reader sees where it goes;</li>
 *   <li>a user or channel mention the model wrote in Slack's own form ({@code <@U…>}, {@code <@W…>},
 *       {@code <#C…>}, no label) is kept with {@code userMentions}, otherwise shown as text.</li>
 * </ul>
 * Broadcasts ({@code <!…>}) are never kept. Outside code, {@code **bold**} → {@code *bold*} and
 * {@code # Heading} → {@code *Heading*}; code spans and fenced blocks keep their text (escaped only).
 */
final class SlackMrkdwn {
    private static final Pattern BOLD = Pattern.compile("\\*\\*(.+?)\\*\\*");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.+)$");
    /** A Markdown link, or a Slack user/channel mention (kept only when allowed). */
    private static final Pattern LINK_OR_MENTION =
            Pattern.compile("\\[([^\\]]+)]\\((https?://[^)\\s<>|]+)\\)|<(@[UW][A-Z0-9]{2,30}|#C[A-Z0-9]{2,30})>");

    /** What model output may turn into Slack links and mentions; {@link #SAFE} keeps neither. */
    record Allow(boolean labeledLinks, boolean userMentions) {
        static final Allow SAFE = new Allow(false, false);
    }

    private SlackMrkdwn() {}

    /** Text not meant as Markdown: escaped, and allowed mentions kept. */
    static String plain(String text, Allow allow) {
        return linksAndMentions(text, allow, false);
    }

    static String fromMarkdown(String text, Allow allow) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        String[] parts = text.split("(?=```)|(?<=```)", -1);
        boolean inFence = false;
        StringBuilder segment = new StringBuilder();
        for (String part : parts) {
            if (part.equals("```")) {
                out.append(inFence ? escape(segment.toString()) : convertInline(segment.toString(), allow));
                segment.setLength(0);
                out.append(part);
                inFence = !inFence;
            } else {
                segment.append(part);
            }
        }
        out.append(inFence ? escape(segment.toString()) : convertInline(segment.toString(), allow));
        return out.toString();
    }

    /** {@code &}, {@code <}, {@code >} as Slack's entities; nothing else is touched. */
    static String escape(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String entity = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                default -> null;
            };
            if (entity != null && out == null) out = new StringBuilder(s.length() + 16).append(s, 0, i);
            if (out != null) {
                if (entity != null) out.append(entity);
                else out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    private static String convertInline(String s, Allow allow) {
        // Code spans keep their text (escaped); Markdown is converted only between them.
        StringBuilder out = new StringBuilder();
        String[] pieces = s.split("`", -1);
        for (int i = 0; i < pieces.length; i++) {
            if (i > 0) out.append('`');
            out.append(i % 2 == 1 ? escape(pieces[i]) : convertPlain(pieces[i], allow));
        }
        return out.toString();
    }

    private static String convertPlain(String s, Allow allow) {
        // Bold and headings first: they neither need nor produce control characters.
        s = HEADING.matcher(s)
                .replaceAll(m -> Matcher.quoteReplacement("*" + m.group(1).strip() + "*"));
        s = BOLD.matcher(s).replaceAll(m -> Matcher.quoteReplacement("*" + m.group(1) + "*"));
        return linksAndMentions(s, allow, true);
    }

    private static String linksAndMentions(String s, Allow allow, boolean markdownLinks) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        Matcher m = LINK_OR_MENTION.matcher(s);
        int last = 0;
        while (m.find()) {
            String replacement;
            if (m.group(3) != null) {
                replacement = allow.userMentions() ? "<" + m.group(3) + ">" : null;
            } else if (markdownLinks) {
                String label = escape(m.group(1));
                String url = escape(m.group(2));
                replacement = allow.labeledLinks()
                        ? "<" + url + "|" + label + ">"
                        : m.group(1).equals(m.group(2)) ? url : label + " (" + url + ")";
            } else {
                replacement = null;
            }
            if (replacement == null) continue;
            out.append(escape(s.substring(last, m.start()))).append(replacement);
            last = m.end();
        }
        return out.append(escape(s.substring(last))).toString();
    }
}
