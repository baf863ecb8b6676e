package io.k8s4claw.channel.common;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a reply into platform messages of at most {@code limit} units (Slack and Discord count
 * characters, Telegram UTF-16 code units), preferring paragraph and line boundaries, then spaces, and
 * never leaving a code fence open: a chunk that ends inside a {@code ```} block is closed with a fence and
 * the next chunk re-opens it with the same info string (language), so every message renders on its own.
 */
public final class TextSplitter {
    public enum Unit {
        CODE_POINTS,
        UTF16
    }

    private final int limit;
    private final Unit unit;

    public TextSplitter(int limit, Unit unit) {
        if (limit < 32) throw new IllegalArgumentException("limit too small to split sensibly: " + limit);
        this.limit = limit;
        this.unit = unit;
    }

    public int limit() {
        return limit;
    }

    public int length(CharSequence s) {
        return unit == Unit.UTF16 ? s.length() : Character.codePointCount(s, 0, s.length());
    }

    public List<String> split(String text) {
        List<String> out = new ArrayList<>();
        if (text == null || text.isEmpty()) return out;
        if (length(text) <= limit) {
            out.add(text);
            return out;
        }
        StringBuilder chunk = new StringBuilder();
        String openFence = null; // the fence line currently open in the text, e.g. "```python"
        for (String line : lines(text)) {
            String bare = stripNewline(line).strip();
            // CommonMark: any ``` line opens a block; only a bare ``` line closes it.
            String fenceAfter = openFence == null
                    ? (bare.startsWith("```") ? bare : null)
                    : (bare.equals("```") ? null : openFence);
            // Units the chunk needs to stay closed if we stop after this line.
            int closeCost = fenceAfter != null ? length("\n```") : 0;
            if (length(chunk) + length(line) + closeCost <= limit) {
                chunk.append(line);
                openFence = fenceAfter;
                continue;
            }
            // The line does not fit: close this chunk (and its fence) and start a new one.
            if (chunk.length() > 0 && !chunk.toString().equals(reopen(openFence))) {
                out.add(close(chunk, openFence));
                chunk.setLength(0);
                if (openFence != null) chunk.append(openFence).append('\n');
            }
            if (length(chunk) + length(line) + closeCost <= limit) {
                chunk.append(line);
                openFence = fenceAfter;
                continue;
            }
            // A single line longer than a message: cut it at spaces (or anywhere) into pieces.
            String rest = line;
            while (length(chunk) + length(rest) + closeCost > limit) {
                int room = limit - length(chunk) - (openFence != null ? length("\n```") : 0);
                int cut = cutPoint(rest, Math.max(1, room));
                chunk.append(rest, 0, cut);
                rest = rest.substring(cut);
                out.add(close(chunk, openFence));
                chunk.setLength(0);
                if (openFence != null) chunk.append(openFence).append('\n');
            }
            chunk.append(rest);
            openFence = fenceAfter;
        }
        if (chunk.length() > 0 && !chunk.toString().equals(reopen(openFence))) {
            out.add(
                    openFence != null && !chunk.toString().endsWith("```")
                            ? close(chunk, openFence)
                            : stripTrailingNewline(chunk.toString()));
        }
        return out;
    }

    private static String reopen(String fence) {
        return fence == null ? "" : fence + "\n";
    }

    private static String close(StringBuilder chunk, String openFence) {
        String s = stripTrailingNewline(chunk.toString());
        return openFence != null ? s + "\n```" : s;
    }

    private static String stripTrailingNewline(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '\n') end--;
        return s.substring(0, end);
    }

    private static String stripNewline(String line) {
        return line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
    }

    /** Lines with their trailing newline kept. */
    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lines.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) lines.add(text.substring(start));
        return lines;
    }

    /** A char index in {@code s} holding at most {@code room} units, at a space when one is near. */
    private int cutPoint(String s, int room) {
        int idx = 0;
        int units = 0;
        while (idx < s.length()) {
            int cp = s.codePointAt(idx);
            int w = unit == Unit.UTF16 ? Character.charCount(cp) : 1;
            if (units + w > room) break;
            units += w;
            idx += Character.charCount(cp);
        }
        if (idx == 0) idx = Character.charCount(s.codePointAt(0));
        int space = s.lastIndexOf(' ', idx - 1);
        int cut = space > idx / 2 ? space + 1 : idx;
        // The cut starts a new line in the next message: never let it begin with ``` (it would read as a fence).
        while (cut > 1 && s.substring(cut).stripLeading().startsWith("```")) {
            int prev = s.lastIndexOf(' ', cut - 2);
            cut = prev > 0 ? prev + 1 : cut - 1;
        }
        return cut;
    }
}
