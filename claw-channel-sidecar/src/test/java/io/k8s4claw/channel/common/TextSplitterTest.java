package io.k8s4claw.channel.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TextSplitterTest {

    /** CommonMark: a ``` line opens a block, only a bare ``` line closes it. */
    private static boolean endsInsideFence(String s) {
        boolean open = false;
        for (String l : s.lines().toList()) {
            String b = l.strip();
            if (!open && b.startsWith("```")) open = true;
            else if (open && b.equals("```")) open = false;
        }
        return open;
    }

    private static long fences(String s) {
        return s.lines().filter(l -> l.strip().startsWith("```")).count();
    }

    /** Removes the fences the splitter added at chunk edges, to compare with the original. */
    private static String rejoin(List<String> chunks) {
        StringBuilder out = new StringBuilder();
        String reopened = null;
        for (int i = 0; i < chunks.size(); i++) {
            String c = chunks.get(i);
            if (reopened != null && c.startsWith(reopened + "\n")) c = c.substring(reopened.length() + 1);
            boolean closedHere =
                    fences(chunks.get(i)) % 2 == 0 && i < chunks.size() - 1 && openAtEndOfOriginalChunk(chunks, i);
            if (closedHere && c.endsWith("\n```")) c = c.substring(0, c.length() - 4);
            reopened = closedHere ? openingFence(chunks, i) : null;
            out.append(c);
            if (i < chunks.size() - 1) out.append('\n');
        }
        return out.toString();
    }

    private static boolean openAtEndOfOriginalChunk(List<String> chunks, int i) {
        String next = chunks.get(i + 1);
        String fence = openingFence(chunks, i);
        return fence != null && next.startsWith(fence + "\n");
    }

    private static String openingFence(List<String> chunks, int i) {
        String last = null;
        for (String l : chunks.get(i).lines().toList()) {
            if (l.strip().startsWith("```") && !l.strip().equals("```")) last = l.strip();
        }
        return last;
    }

    @Test
    void shortTextIsOneChunk() {
        assertThat(new TextSplitter(100, TextSplitter.Unit.CODE_POINTS).split("hello"))
                .containsExactly("hello");
        assertThat(new TextSplitter(100, TextSplitter.Unit.CODE_POINTS).split(""))
                .isEmpty();
    }

    @Test
    void splitsAtLineBoundariesWithinTheLimit() {
        String text = "line one\nline two\nline three\nline four\nline five\n";
        List<String> chunks = new TextSplitter(32, TextSplitter.Unit.CODE_POINTS).split(text);
        assertThat(chunks).allMatch(c -> c.length() <= 32);
        assertThat(String.join("\n", chunks) + "\n").isEqualTo(text);
        assertThat(chunks).allMatch(c -> !c.startsWith("ine") && !c.endsWith("lin"));
    }

    @Test
    void codeFencesAreClosedAndReopenedWithTheirLanguage() {
        StringBuilder text = new StringBuilder("Intro\n```python\n");
        for (int i = 0; i < 50; i++) text.append("x = ").append(i).append("\n");
        text.append("```\nOutro");
        List<String> chunks = new TextSplitter(120, TextSplitter.Unit.CODE_POINTS).split(text.toString());
        assertThat(chunks).hasSizeGreaterThan(3);
        for (String c : chunks) {
            assertThat(c.length()).isLessThanOrEqualTo(120);
            assertThat(fences(c) % 2).as("balanced: %s", c).isZero();
        }
        assertThat(chunks.get(1)).startsWith("```python\n");
        assertThat(chunks.get(chunks.size() - 1)).endsWith("Outro");
        assertThat(rejoin(chunks)).isEqualTo(text.toString());
    }

    @Test
    void overlongLinesAreCutAtSpacesOrHard() {
        String words = "word ".repeat(100).strip();
        List<String> chunks = new TextSplitter(64, TextSplitter.Unit.CODE_POINTS).split(words);
        assertThat(chunks).allMatch(c -> c.length() <= 64);
        assertThat(String.join("", chunks)).isEqualTo(words);
        String blob = "x".repeat(500);
        assertThat(new TextSplitter(64, TextSplitter.Unit.CODE_POINTS).split(blob))
                .allMatch(c -> c.length() <= 64)
                .satisfies(c -> assertThat(String.join("", c)).isEqualTo(blob));
    }

    @Test
    void utf16UnitsCountSurrogatePairsAsTwoAndNeverSplitThem() {
        String text = "😀".repeat(100); // 200 UTF-16 units, 100 code points
        TextSplitter utf16 = new TextSplitter(50, TextSplitter.Unit.UTF16);
        List<String> chunks = utf16.split(text);
        assertThat(chunks).hasSize(4).allMatch(c -> c.length() <= 50 && !Character.isLowSurrogate(c.charAt(0)));
        assertThat(new TextSplitter(50, TextSplitter.Unit.CODE_POINTS).split(text))
                .hasSize(2);
    }

    @Test
    void randomTextsKeepLimitsFencesAndContent() {
        Random rnd = new Random(42);
        String[] pieces = {"word ", "longerword ", "\n", "\n\n", "```js\n", "```\n", "😀", "é", "`inline` "};
        for (int round = 0; round < 300; round++) {
            StringBuilder sb = new StringBuilder();
            int n = 20 + rnd.nextInt(400);
            for (int i = 0; i < n; i++) sb.append(pieces[rnd.nextInt(pieces.length)]);
            String text = sb.toString();
            int limit = 40 + rnd.nextInt(200);
            TextSplitter s = new TextSplitter(limit, TextSplitter.Unit.UTF16);
            List<String> chunks = s.split(text);
            for (String c : chunks) {
                assertThat(c.length()).as("round %d limit %d", round, limit).isLessThanOrEqualTo(limit);
                assertThat(c).isNotEmpty();
                if (chunks.size() > 1)
                    assertThat(endsInsideFence(c))
                            .as("round %d: fences balanced in %s", round, c)
                            .isFalse();
            }
            String letters = text.replaceAll("[`\\s]|js", "");
            String joined = String.join("", chunks).replaceAll("[`\\s]|js", "");
            assertThat(joined)
                    .as("round %d: no content lost or reordered", round)
                    .isEqualTo(letters);
        }
    }
}
