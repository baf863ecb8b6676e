package io.k8s4claw.bridge.wal;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * The meaning of the journal's records. Inbound messages, their progress towards the runtime, and the
 * per-channel reply log all live in one journal so that one fsync covers both directions.
 */
public sealed interface JournalRecord extends EncodableRecord {

    /** The record's tag in the journal, from {@link Type}: the one place record types are numbered. */
    @Override
    default byte type() {
        return Type.of(this).code;
    }

    /**
     * Every record type: its tag, its class and how it reads back. Tags are forever (journals on volumes hold
     * them): add new ones at the end, never renumber or reuse one.
     */
    enum Type {
        MESSAGE_ACCEPTED(
                1,
                MessageAccepted.class,
                in -> new MessageAccepted(in.readUTF(), in.readUTF(), in.readLong(), bytes(in))),
        RUN_ACCEPTED(2, RunAccepted.class, in -> new RunAccepted(in.readUTF(), in.readUTF(), in.readUTF())),
        MESSAGE_COMPLETED(
                3,
                MessageCompleted.class,
                in -> new MessageCompleted(in.readUTF(), in.readUTF(), in.readUTF(), in.readLong())),
        DEAD_LETTERED(
                4,
                DeadLettered.class,
                in -> new DeadLettered(in.readUTF(), in.readUTF(), in.readUTF(), in.readInt(), in.readLong())),
        DEAD_LETTER_REPLAYED(
                5, DeadLetterReplayed.class, in -> new DeadLetterReplayed(in.readUTF(), in.readUTF(), in.readLong())),
        REPLY_RECORDED(6, ReplyRecorded.class, in -> new ReplyRecorded(in.readUTF(), bytes(in))),
        REPLY_ACKED(7, ReplyAcked.class, in -> new ReplyAcked(in.readUTF(), in.readLong())),
        MESSAGE_SEEN(8, MessageSeen.class, in -> new MessageSeen(in.readUTF(), in.readUTF(), in.readLong())),
        REPLY_SEQ_FLOOR(9, ReplySeqFloor.class, in -> new ReplySeqFloor(in.readUTF(), in.readLong())),
        SEEN_DIGESTS(10, SeenDigests.class, in -> new SeenDigests(longs(in)));

        private static final ClassValue<Type> BY_CLASS = new ClassValue<>() {
            @Override
            protected Type computeValue(Class<?> type) {
                for (Type t : values()) {
                    if (t.recordClass == type) {
                        return t;
                    }
                }
                throw new IllegalStateException(type.getName() + " has no JournalRecord.Type: add one");
            }
        };

        final byte code;
        private final Class<? extends JournalRecord> recordClass;
        private final Reader reader;

        Type(int code, Class<? extends JournalRecord> recordClass, Reader reader) {
            this.code = (byte) code;
            this.recordClass = recordClass;
            this.reader = reader;
        }

        static Type of(JournalRecord record) {
            return BY_CLASS.get(record.getClass());
        }

        /** The type tagged {@code code}, or null (a record of a newer bridge). */
        static Type of(byte code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }

        @FunctionalInterface
        private interface Reader {
            JournalRecord read(DataInputStream in) throws IOException;
        }
    }

    /** A UserMessage was accepted (the Ack follows once this record is durable). */
    record MessageAccepted(String channel, String channelType, long acceptedAtMs, byte[] userMessage)
            implements JournalRecord {

        public void write(RecordWriter out) throws IOException {
            out.writeUTF(channel);
            out.writeUTF(channelType);
            out.writeLong(acceptedAtMs);
            out.writeInt(userMessage.length);
            out.write(userMessage);
        }

        public int size() {
            return utf(channel) + utf(channelType) + 8 + 4 + userMessage.length;
        }
    }

    /** The runtime accepted the message and started a run. */
    record RunAccepted(String channel, String messageId, String runRef) implements JournalRecord {

        public void write(RecordWriter out) throws IOException {
            out.writeUTF(channel);
            out.writeUTF(messageId);
            out.writeUTF(runRef);
        }

        public int size() {
            return utf(channel) + utf(messageId) + utf(runRef);
        }
    }

    /** The message needs nothing more: its run ended (final/error), or it was dead-lettered. */
    record MessageCompleted(String channel, String messageId, String outcome, long atMs) implements JournalRecord {

        public void write(RecordWriter out) throws IOException {
            out.writeUTF(channel);
            out.writeUTF(messageId);
            out.writeUTF(outcome);
            out.writeLong(atMs);
        }

        public int size() {
            return utf(channel) + utf(messageId) + utf(outcome) + 8;
        }
    }

    /** The message was given up; it stays listed (and replayable) until replayed. */
    record DeadLettered(String channel, String messageId, String reason, int attempts, long atMs)
            implements JournalRecord {

        public void write(RecordWriter out) throws IOException {
            out.writeUTF(channel);
            out.writeUTF(messageId);
            out.writeUTF(reason);
            out.writeInt(attempts);
            out.writeLong(atMs);
        }

        public int size() {
            return utf(channel) + utf(messageId) + utf(reason) + 4 + 8;
        }
    }

    /** An operator replayed a dead letter: it is pending again (with a fresh attempt budget). */
    record DeadLetterReplayed(String channel, String messageId, long atMs) implements JournalRecord {

        public void write(RecordWriter out) throws IOException {
            out.writeUTF(channel);
            out.writeUTF(messageId);
            out.writeLong(atMs);
        }

        public int size() {
            return utf(channel) + utf(messageId) + 8;
        }
    }

    /** A Reply event for a channel (its reply_seq inside). */
    record ReplyRecorded(String channel, byte[] reply) implements JournalRecord {

        public void write(RecordWriter out) throws IOException {
            out.writeUTF(channel);
            out.writeInt(reply.length);
            out.write(reply);
        }

        public int size() {
            return utf(channel) + 4 + reply.length;
        }
    }

    /** The channel acked replies up to and including... exactly this reply_seq. */
    record ReplyAcked(String channel, long replySeq) implements JournalRecord {

        public void write(RecordWriter out) throws IOException {
            out.writeUTF(channel);
            out.writeLong(replySeq);
        }

        public int size() {
            return utf(channel) + 8;
        }
    }

    /** Checkpoint only: a message id seen recently (kept for deduplication after its record was compacted). */
    record MessageSeen(String channel, String messageId, long atMs) implements JournalRecord {

        public void write(RecordWriter out) throws IOException {
            out.writeUTF(channel);
            out.writeUTF(messageId);
            out.writeLong(atMs);
        }

        public int size() {
            return utf(channel) + utf(messageId) + 8;
        }
    }

    /**
     * Checkpoint only: part of the dedupe window as {@code (digest high 64 bits, digest low 64 bits, completed at ms)}
     * triples, oldest first; replaces {@link MessageSeen} (still read: a journal written before replays the same).
     */
    record SeenDigests(long[] entries) implements JournalRecord {
        public SeenDigests {
            if (entries.length % 3 != 0) {
                throw new IllegalArgumentException("seen digests come in triples, got " + entries.length + " longs");
            }
        }

        public void write(RecordWriter out) {
            out.writeInt(entries.length / 3);
            for (long v : entries) {
                out.writeLong(v);
            }
        }

        public int size() {
            return 4 + 8 * entries.length;
        }
    }

    /** Checkpoint only: the highest reply_seq ever issued for a channel (keeps it increasing). */
    record ReplySeqFloor(String channel, long lastSeq) implements JournalRecord {

        public void write(RecordWriter out) throws IOException {
            out.writeUTF(channel);
            out.writeLong(lastSeq);
        }

        public int size() {
            return utf(channel) + 8;
        }
    }

    /** Encodes the payload (the layout of {@link DataOutputStream}, so older journals read the same). */
    default JournalEntry toEntry() {
        byte[] payload = new byte[size()];
        try {
            write(new RecordWriter(ByteBuffer.wrap(payload)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new JournalEntry(type(), payload);
    }

    /**
     * Writes what {@link DataOutputStream} would into a buffer with room for {@link #size()} more bytes — the
     * journal's open batch itself on the hot path, so a record is encoded once, in place, with no array of its
     * own. Common strings (ids, channel names) are plain ASCII, whose modified UTF-8 is their chars as bytes.
     */
    final class RecordWriter {
        private final ByteBuffer buf;
        /** ASCII strings are gathered here and put with one bulk copy: a put per byte into a direct buffer costs a
         * memory-session check each. */
        private byte[] scratch = new byte[64];

        RecordWriter(ByteBuffer buf) {
            this.buf = buf;
        }

        public void writeUTF(String s) throws IOException {
            int n = s.length();
            if (n <= 0xFFFF) {
                if (scratch.length < n) {
                    scratch = new byte[Math.max(n, 2 * scratch.length)];
                }
                byte[] b = scratch;
                int i = 0;
                for (; i < n; i++) {
                    char c = s.charAt(i);
                    if (c == 0 || c >= 0x80) {
                        break;
                    }
                    b[i] = (byte) c;
                }
                if (i == n) {
                    buf.putShort((short) n).put(b, 0, n);
                    return;
                }
            }
            // not plain ASCII: the full modified UTF-8
            int bytes = utf(s) - 2;
            if (bytes > 0xFFFF) {
                throw new UTFDataFormatException(
                        "string of " + bytes + " bytes is too long for a journal field (at most 65535)");
            }
            buf.putShort((short) bytes);
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c != 0 && c < 0x80) {
                    buf.put((byte) c);
                } else if (c < 0x800) {
                    buf.put((byte) (0xC0 | (c >> 6) & 0x1F));
                    buf.put((byte) (0x80 | c & 0x3F));
                } else {
                    buf.put((byte) (0xE0 | (c >> 12) & 0x0F));
                    buf.put((byte) (0x80 | (c >> 6) & 0x3F));
                    buf.put((byte) (0x80 | c & 0x3F));
                }
            }
        }

        public void writeLong(long v) {
            buf.putLong(v);
        }

        public void writeInt(int v) {
            buf.putInt(v);
        }

        public void write(byte[] b) {
            buf.put(b);
        }
    }

    /** Bytes of {@link DataOutputStream#writeUTF}: a 2-byte length and modified UTF-8. */
    static int utf(String s) {
        int n = s.length();
        int bytes = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80 || c == 0) {
                bytes += c >= 0x800 ? 2 : 1;
            }
        }
        return 2 + bytes;
    }

    /**
     * Reads a record; unknown types (from a newer bridge) are returned as null so a rollback can skip them.
     *
     * @throws IllegalArgumentException when the payload does not match its type (the CRC matched, so this is a
     *                                  bug or a version mismatch, reported with the type)
     */
    static JournalRecord read(JournalEntry e) {
        Type type = Type.of(e.type());
        if (type == null) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(e.payload()))) {
            return type.reader.read(in);
        } catch (IOException ex) {
            throw new IllegalArgumentException(
                    "journal record of type " + e.type() + " (" + e.payload().length + " bytes) does not parse: " + ex,
                    ex);
        }
    }

    private static long[] longs(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > SegmentFile.MAX_RECORD_BYTES / 24) {
            throw new IOException("entry count " + n + " out of range");
        }
        long[] v = new long[3 * n];
        for (int i = 0; i < v.length; i++) {
            v[i] = in.readLong();
        }
        return v;
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > SegmentFile.MAX_RECORD_BYTES) {
            throw new IOException("embedded length " + n + " out of range");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
