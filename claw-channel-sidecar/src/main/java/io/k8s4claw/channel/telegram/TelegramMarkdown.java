package io.k8s4claw.channel.telegram;

/**
 * Text for {@code parse_mode: MarkdownV2}: outside code every reserved character
 * ({@code _ * [ ] ( ) ~ ` > # + - = | { } . !} and {@code \}) is escaped, so model output shows literally;
 * fenced code blocks and inline code keep their formatting (inside them only {@code `} and {@code \}
 * are escaped, as the Bot API requires). If Telegram still cannot parse it, the sender falls back to plain text.
 */
final class TelegramMarkdown {
    private static final String RESERVED = "_*[]()~`>#+-=|{}.!\\";

    private TelegramMarkdown() {}

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("```", i)) {
                int end = text.indexOf("```", i + 3);
                if (end < 0) {
                    escapePlain(text.substring(i), out);
                    break;
                }
                out.append("```");
                escapeCode(text.substring(i + 3, end), out);
                out.append("```");
                i = end + 3;
            } else if (text.charAt(i) == '`') {
                int end = text.indexOf('`', i + 1);
                int nl = text.indexOf('\n', i + 1);
                if (end < 0 || (nl >= 0 && nl < end)) {
                    out.append("\\`");
                    i++;
                } else {
                    out.append('`');
                    escapeCode(text.substring(i + 1, end), out);
                    out.append('`');
                    i = end + 1;
                }
            } else {
                int next = nextCode(text, i);
                escapePlain(text.substring(i, next), out);
                i = next;
            }
        }
        return out.toString();
    }

    private static int nextCode(String text, int from) {
        int idx = text.indexOf('`', from);
        return idx < 0 ? text.length() : idx;
    }

    private static void escapePlain(String s, StringBuilder out) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (RESERVED.indexOf(c) >= 0) out.append('\\');
            out.append(c);
        }
    }

    private static void escapeCode(String s, StringBuilder out) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '`' || c == '\\') out.append('\\');
            out.append(c);
        }
    }
}
