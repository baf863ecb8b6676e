package io.k8s4claw.bridge.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JournalRecordTest {

    /** ASCII, NUL (2 bytes in modified UTF-8), 2-byte, 3-byte and surrogate-pair characters. */
    private static final String ODD = "ch-\u0000-é-€-\uD83D\uDE00";

    @Test
    void everyRecordEncodesToExactlyItsSizeAndReadsBack() {
        byte[] blob = {1, 2, 3, 0, -1};
        List<JournalRecord> records = List.of(
                new JournalRecord.MessageAccepted(ODD, "slack", 42L, blob),
                new JournalRecord.RunAccepted(ODD, "m-1", "run-" + ODD),
                new JournalRecord.MessageCompleted("ch", ODD, "final", 7L),
                new JournalRecord.DeadLettered("ch", "m", "reason " + ODD, 3, 9L),
                new JournalRecord.DeadLetterReplayed("ch", ODD, 1L),
                new JournalRecord.ReplyRecorded(ODD, blob),
                new JournalRecord.ReplyAcked("", 5L),
                new JournalRecord.MessageSeen(ODD, "", 2L),
                new JournalRecord.SeenDigests(new long[] {Long.MIN_VALUE, -1L, 3L, 0L, Long.MAX_VALUE, 4L}),
                new JournalRecord.SeenDigests(new long[0]),
                new JournalRecord.ReplySeqFloor(ODD, Long.MAX_VALUE));
        for (JournalRecord r : records) {
            JournalEntry e = r.toEntry();
            assertThat(e.payload()).as(r.getClass().getSimpleName()).hasSize(r.size());
            assertThat(e.type()).isEqualTo(r.type());
            JournalRecord back = JournalRecord.read(e);
            assertThat(back.toEntry().payload())
                    .as(r.getClass().getSimpleName())
                    .isEqualTo(e.payload());
            assertThat(back.getClass()).isEqualTo(r.getClass());
        }
        JournalRecord.MessageAccepted a = (JournalRecord.MessageAccepted)
                JournalRecord.read(records.get(0).toEntry());
        assertThat(a.channel()).isEqualTo(ODD);
        assertThat(a.userMessage()).isEqualTo(blob);
    }

    /** What the previous version wrote: the record's fields through {@link DataOutputStream}, in write order. */
    private static byte[] legacy(JournalRecord r) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        switch (r) {
            case JournalRecord.MessageAccepted m -> {
                out.writeUTF(m.channel());
                out.writeUTF(m.channelType());
                out.writeLong(m.acceptedAtMs());
                out.writeInt(m.userMessage().length);
                out.write(m.userMessage());
            }
            case JournalRecord.RunAccepted m -> {
                out.writeUTF(m.channel());
                out.writeUTF(m.messageId());
                out.writeUTF(m.runRef());
            }
            case JournalRecord.MessageCompleted m -> {
                out.writeUTF(m.channel());
                out.writeUTF(m.messageId());
                out.writeUTF(m.outcome());
                out.writeLong(m.atMs());
            }
            case JournalRecord.DeadLettered m -> {
                out.writeUTF(m.channel());
                out.writeUTF(m.messageId());
                out.writeUTF(m.reason());
                out.writeInt(m.attempts());
                out.writeLong(m.atMs());
            }
            case JournalRecord.DeadLetterReplayed m -> {
                out.writeUTF(m.channel());
                out.writeUTF(m.messageId());
                out.writeLong(m.atMs());
            }
            case JournalRecord.ReplyRecorded m -> {
                out.writeUTF(m.channel());
                out.writeInt(m.reply().length);
                out.write(m.reply());
            }
            case JournalRecord.ReplyAcked m -> {
                out.writeUTF(m.channel());
                out.writeLong(m.replySeq());
            }
            case JournalRecord.MessageSeen m -> {
                out.writeUTF(m.channel());
                out.writeUTF(m.messageId());
                out.writeLong(m.atMs());
            }
            case JournalRecord.ReplySeqFloor m -> {
                out.writeUTF(m.channel());
                out.writeLong(m.lastSeq());
            }
            case JournalRecord.SeenDigests m -> {
                out.writeInt(m.entries().length / 3);
                for (long v : m.entries()) {
                    out.writeLong(v);
                }
            }
        }
        out.flush();
        return bytes.toByteArray();
    }

    /** One record of every type with {@code s} in each string field (and varied numbers and blobs). */
    private static List<JournalRecord> everyType(String s, long n, byte[] blob) {
        return List.of(
                new JournalRecord.MessageAccepted(s, s + "-type", n, blob),
                new JournalRecord.RunAccepted(s, "id-" + s, s + "-run"),
                new JournalRecord.MessageCompleted(s, s, "final " + s, n),
                new JournalRecord.DeadLettered(s, s, s, (int) n, -n),
                new JournalRecord.DeadLetterReplayed(s, s, n),
                new JournalRecord.ReplyRecorded(s, blob),
                new JournalRecord.ReplyAcked(s, n),
                new JournalRecord.MessageSeen(s, s, n),
                new JournalRecord.SeenDigests(new long[] {n, -n, n ^ 0x5555}),
                new JournalRecord.ReplySeqFloor(s, n));
    }

    @Test
    void payloadsAreByteForByteWhatDataOutputStreamWrote() throws IOException {
        StringBuilder longAscii = new StringBuilder();
        while (longAscii.length() < 0xFFFF) {
            longAscii.append("abcdefghij");
        }
        List<String> strings = List.of(
                "",
                "slack-main",
                "ascii with spaces and ~!@#$%^&*()_+{}|:\"<>?`",
                "\u0000",
                "nul\u0000inside",
                "\u007f edge of ASCII",
                "\u0080 first 2-byte, é, ß, \u07ff last 2-byte",
                "\u0800 first 3-byte, €, 日本語, \uffff last",
                "\uD83D\uDE00 \uD800\uDC00 \uDBFF\uDFFF", // surrogate pairs: 2 x 3 bytes each in modified UTF-8
                ODD,
                longAscii.substring(0, 0xFFFF), // the longest ASCII string a field holds
                "é".repeat(0xFFFF / 2), // 65534 bytes
                "€".repeat(0xFFFF / 3)); // 65535 bytes
        byte[] blob = new byte[300];
        for (int i = 0; i < blob.length; i++) {
            blob[i] = (byte) (i * 7);
        }
        int checked = 0;
        for (String s : strings) {
            for (long n : new long[] {0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 0x0102030405060708L}) {
                for (byte[] b : List.of(new byte[0], blob)) {
                    // a long string takes no prefix or suffix, which would push it past 65535 bytes
                    for (JournalRecord r : s.length() > 1000 ? onlyExact(s, n, b) : everyType(s, n, b)) {
                        byte[] expected = legacy(r);
                        JournalEntry e = r.toEntry();
                        assertThat(e.payload())
                                .as(
                                        "%s with %s",
                                        r.getClass().getSimpleName(), s.length() > 40 ? s.length() + " chars" : s)
                                .isEqualTo(expected);
                        assertThat(r.size()).isEqualTo(expected.length);
                        checked++;
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(strings.size() * 6 * 2 * 5);
    }

    /** Records whose string fields are exactly {@code s} (no prefix or suffix that would overflow 65535 bytes). */
    private static List<JournalRecord> onlyExact(String s, long n, byte[] blob) {
        return List.of(
                new JournalRecord.MessageAccepted(s, s, n, blob),
                new JournalRecord.RunAccepted(s, s, s),
                new JournalRecord.MessageCompleted(s, s, s, n),
                new JournalRecord.DeadLettered(s, s, s, (int) n, -n),
                new JournalRecord.DeadLetterReplayed(s, s, n),
                new JournalRecord.ReplyRecorded(s, blob),
                new JournalRecord.ReplyAcked(s, n),
                new JournalRecord.MessageSeen(s, s, n),
                new JournalRecord.ReplySeqFloor(s, n));
    }

    @Test
    void payloadsMatchDataOutputStreamForEveryCharacter() throws IOException {
        // every UTF-16 code unit except lone surrogates (see loneSurrogatesAreWrittenAsDataOutputStreamDid), in
        // chunks, each chunk alone and surrounded by ASCII
        List<String> chunks = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        for (int c = 0; c <= 0xFFFF; c++) {
            if (Character.isSurrogate((char) c)) {
                continue;
            }
            b.append((char) c);
            if (b.length() == 4096) {
                chunks.add(b.toString());
                b.setLength(0);
            }
        }
        chunks.add(b.toString());
        for (int cp = 0x10000; cp <= 0x10FFFF; cp += 0x3FF) {
            b.appendCodePoint(cp);
        }
        chunks.add(b.toString());
        for (String chunk : chunks) {
            for (String s : List.of(chunk, "ch-" + chunk + "-x")) {
                JournalRecord r = new JournalRecord.DeadLettered(s, "m", s, 3, 4L);
                assertThat(r.toEntry().payload()).isEqualTo(legacy(r));
            }
        }
    }

    /**
     * A lone surrogate is a valid Java string character: DataOutputStream writes it as 3 bytes of modified
     * UTF-8 (and readUTF gives it back). The fast path decides "ASCII" from {@code getBytes(UTF_8).length ==
     * length()}, but String.getBytes replaces a lone surrogate with the one byte '?', so such a string takes the
     * ASCII path and is journaled as '?' — and {@code size()} no longer matches the payload.
     */
    @Test
    void loneSurrogatesAreWrittenAsDataOutputStreamDid() throws IOException {
        for (String s : List.of("\uD800", "\uDC00", "a\uD83Db", "\uDE00\uD83D")) {
            for (JournalRecord r : everyType(s, 1L, new byte[] {1})) {
                assertThat(r.toEntry().payload())
                        .as(r.getClass().getSimpleName())
                        .isEqualTo(legacy(r));
                assertThat(r.toEntry().payload()).hasSize(r.size());
            }
        }
    }

    @Test
    void aStringLongerThan65535BytesFailsLikeDataOutputStream() {
        String ascii = "a".repeat(0x10000); // 65536 bytes
        String twoByte = "é".repeat(0x8000); // 65536 bytes in 32768 chars
        String nuls = "\u0000".repeat(0x8000); // NUL takes 2 bytes: 65536
        String threeByte = "€".repeat(0xFFFF / 3) + "a"; // 65536
        for (String s : List.of(ascii, twoByte, nuls, threeByte)) {
            for (JournalRecord r : onlyExact(s, 1L, new byte[0])) {
                // the old encoding refused it too
                assertThatThrownBy(() -> legacy(r)).isInstanceOf(UTFDataFormatException.class);
                assertThatThrownBy(r::toEntry)
                        .as("%s with %d chars", r.getClass().getSimpleName(), s.length())
                        .isInstanceOf(UncheckedIOException.class)
                        .hasCauseInstanceOf(UTFDataFormatException.class);
            }
        }
        // one byte less is fine
        JournalRecord fits = new JournalRecord.ReplyAcked("a".repeat(0xFFFF), 1L);
        assertThat(fits.toEntry().payload()).hasSize(2 + 0xFFFF + 8);
    }
}
