package io.k8s4claw.bridge.wal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The on-disk format of one journal segment (Kafka's {@code LogSegment}, BookKeeper's {@code JournalChannel}):
 * its name, its header, the framing of its records, and reading them back.
 *
 * <p><b>Segment header</b> (format 1 on): {@code u32 magic "CLWJ" | u16 format version | u16 reserved (0)}, 8 bytes,
 * big-endian, at offset 0. The version says how the rest of the file reads, so a future format can still read
 * the segments an older bridge left on the volume. A segment without it is <em>format 0</em> — what bridges wrote
 * before the header existed — and its records start at byte 0. The two cannot be confused: the magic read as a
 * format-0 record length is 1.1 GB, far above {@link #MAX_RECORD_BYTES}, so no intact format-0 segment begins
 * with it. A version newer than this bridge knows is refused with an error that says so (rolling a bridge back
 * over a newer volume must not misread it).
 *
 * <p><b>Record</b> (formats 0 and 1): {@code u32 length | u32 CRC32C(type, payload) | u8 type | payload}, big-endian.
 * A record that does not check (short, over the limit, bad CRC) ends the intact part of a segment.
 */
final class SegmentFile {

    /** "CLWJ": a claw journal segment. */
    static final int MAGIC = 0x434C574A;
    /** The format this bridge writes. */
    static final short VERSION = 1;
    /** Bytes of the segment header. */
    static final int HEADER_BYTES = 8;
    /** Bytes of a record's frame before its payload. */
    static final int RECORD_HEADER_BYTES = 9;
    /** Records larger than this are refused (a bus frame is at most 16 MiB). */
    static final int MAX_RECORD_BYTES = 17 << 20;

    static final byte CHECKPOINT_BEGIN = (byte) 0x7e;
    static final byte CHECKPOINT_END = (byte) 0x7f;

    private static final Pattern NAME = Pattern.compile("journal-(\\d{6,})\\.log");

    private SegmentFile() {}

    static Path path(Path dir, int index) {
        return dir.resolve(String.format("journal-%06d.log", index));
    }

    /** The indexes of the segments in {@code dir}, oldest first. */
    static List<Integer> list(Path dir) throws IOException {
        List<Integer> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> {
                Matcher m = NAME.matcher(f.getFileName().toString());
                if (m.matches()) {
                    out.add(Integer.parseInt(m.group(1)));
                }
            });
        }
        out.sort(null);
        return out;
    }

    /** Writes the current format's header at offset 0 and leaves {@code ch} positioned after it. */
    static void writeHeader(FileChannel ch) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES)
                .putInt(MAGIC)
                .putShort(VERSION)
                .putShort((short) 0)
                .flip();
        long pos = 0;
        while (header.hasRemaining()) {
            pos += ch.write(header, pos);
        }
        ch.position(HEADER_BYTES);
    }

    /**
     * Where the records of the segment begin: {@link #HEADER_BYTES} for a segment with a header, 0 for a
     * format-0 one (no header: records from byte 0, or empty).
     *
     * @throws IOException a header of a format this bridge does not know
     */
    static long dataStart(FileChannel ch, Path p) throws IOException {
        if (ch.size() < 4) {
            return 0;
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        header.limit((int) Math.min(HEADER_BYTES, ch.size()));
        readFully(ch, header, 0);
        if (header.getInt(0) != MAGIC) {
            return 0; // format 0
        }
        if (header.limit() < HEADER_BYTES) {
            // a crash while the header was written: nothing was appended behind it yet
            return header.limit();
        }
        short version = header.getShort(4);
        if (version != VERSION) {
            throw new IOException("journal segment " + p + " has format version " + version + "; this bridge reads "
                    + "formats 0 to " + VERSION + ". It was written by a newer bridge: run that version (or newer) "
                    + "on this volume");
        }
        return HEADER_BYTES;
    }

    /** Frames a record into {@code out}. */
    static void putRecord(ByteBuffer out, byte type, byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(type);
        crc.update(payload);
        out.putInt(payload.length).putInt((int) crc.getValue()).put(type).put(payload);
    }

    /** Bytes of a framed record of {@code payloadBytes}. */
    static int framedBytes(int payloadBytes) {
        return RECORD_HEADER_BYTES + payloadBytes;
    }

    /**
     * Reads the intact records of a segment, in order; returns the offset after the last intact one (for an
     * empty or missing file: 0; for a segment holding only its header: the header's end).
     */
    static long readRecords(Path p, Consumer<JournalEntry> sink) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            long offset = dataStart(ch, p);
            long size = ch.size();
            ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER_BYTES);
            CRC32C crc = new CRC32C();
            while (offset + RECORD_HEADER_BYTES <= size) {
                header.clear();
                readFully(ch, header, offset);
                header.flip();
                int len = header.getInt();
                int sum = header.getInt();
                byte type = header.get();
                if (len < 0 || len > MAX_RECORD_BYTES || offset + RECORD_HEADER_BYTES + len > size) {
                    break;
                }
                ByteBuffer payload = ByteBuffer.allocate(len);
                readFully(ch, payload, offset + RECORD_HEADER_BYTES);
                crc.reset();
                crc.update(type);
                crc.update(payload.array());
                if ((int) crc.getValue() != sum) {
                    break;
                }
                sink.accept(new JournalEntry(type, payload.array()));
                offset += RECORD_HEADER_BYTES + len;
            }
            return offset;
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    /** True when every byte of {@code p} from {@code offset} on is zero (never an intact record: its CRC is not 0). */
    static boolean zeroFrom(Path p, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            byte[] zeros = new byte[64 << 10];
            ByteBuffer buf = ByteBuffer.allocate(zeros.length);
            long pos = offset;
            int n;
            while ((n = ch.read(buf.clear(), pos)) > 0) {
                if (Arrays.mismatch(buf.array(), 0, n, zeros, 0, n) >= 0) {
                    return false;
                }
                pos += n;
            }
            return true;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new EOFException("unexpected end of " + ch);
            }
            pos += n;
        }
    }
}
