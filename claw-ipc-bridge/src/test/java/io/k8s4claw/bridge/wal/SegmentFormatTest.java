package io.k8s4claw.bridge.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segments carry a versioned header; a bridge upgraded over a volume written before the header existed (format
 * 0, the fixtures under {@code src/test/resources/wal/}, written by that bridge) recovers it.
 */
class SegmentFormatTest {

    @TempDir
    Path dir;

    @Test
    void aNewSegmentStartsWithTheMagicAndTheFormatVersion() throws Exception {
        Journal j = Journal.open(dir, JournalOptions.defaults(), FileStore.DEFAULT, e -> {});
        j.append(LegacySegments.PLAIN.get(0)).get();
        j.close();
        ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("journal-000001.log")));
        assertThat(header.getInt(0)).isEqualTo(0x434C574A); // "CLWJ"
        assertThat(header.getShort(4)).isEqualTo(SegmentFile.VERSION).isEqualTo((short) 1);
        assertThat(header.getShort(6)).isZero();
        assertThat(header.getInt(SegmentFile.HEADER_BYTES))
                .as("the first record's length")
                .isEqualTo(LegacySegments.PLAIN.get(0).size());
    }

    @Test
    void aHeaderlessSegmentOfTheFormerFormatIsReplayedAndAppendedTo() throws Exception {
        copyFixture("headerless-plain", "journal-000001.log");
        long legacySize = Files.size(dir.resolve("journal-000001.log"));
        assertThat(replayed()).containsExactlyElementsOf(encoded(LegacySegments.PLAIN));
        assertThat(Files.size(dir.resolve("journal-000001.log")))
                .as("nothing cut")
                .isEqualTo(legacySize);

        JournalRecord after = new JournalRecord.ReplyAcked("slack-main", 2L);
        Journal j = Journal.open(dir, JournalOptions.defaults(), FileStore.DEFAULT, e -> {});
        j.append(after).get();
        j.close();
        List<Entry> expected = new ArrayList<>(encoded(LegacySegments.PLAIN));
        expected.add(Entry.of(after.toEntry()));
        assertThat(replayed()).containsExactlyElementsOf(expected);
    }

    @Test
    void aHeaderlessCheckpointOfTheFormerFormatIsRecoveredAndCompactedIntoTheNewFormat() throws Exception {
        copyFixture("headerless-compacted", "journal-000002.log");
        List<Entry> expected = new ArrayList<>(encoded(LegacySegments.CHECKPOINT));
        expected.addAll(encoded(LegacySegments.AFTER));
        assertThat(replayed()).containsExactlyElementsOf(expected);

        // the next compaction writes a segment of the current format and removes the old one
        List<JournalEntry> live =
                LegacySegments.CHECKPOINT.stream().map(JournalRecord::toEntry).toList();
        Journal j = Journal.open(dir, JournalOptions.defaults(), FileStore.DEFAULT, e -> {});
        j.setSnapshotSource(() -> live, 1);
        j.requestCompaction();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(dir.resolve("journal-000002.log")));
        j.close();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("journal-000003.log");
        }
        assertThat(ByteBuffer.wrap(Files.readAllBytes(dir.resolve("journal-000003.log")))
                        .getInt(0))
                .isEqualTo(SegmentFile.MAGIC);
        assertThat(replayed()).containsExactlyElementsOf(encoded(LegacySegments.CHECKPOINT));
    }

    @Test
    void aTornTailOfAHeaderlessSegmentIsCutAtItsLastIntactRecord() throws Exception {
        copyFixture("headerless-plain", "journal-000001.log");
        Path seg = dir.resolve("journal-000001.log");
        long legacySize = Files.size(seg);
        Files.write(seg, new byte[] {0, 0, 0, 50, 1, 2, 3}, StandardOpenOption.APPEND);
        assertThat(replayed()).containsExactlyElementsOf(encoded(LegacySegments.PLAIN));
        assertThat(Files.size(seg)).isEqualTo(legacySize);
    }

    @Test
    void anEmptyNewestSegmentIsStartedOverInTheCurrentFormat() throws Exception {
        Files.write(dir.resolve("journal-000001.log"), new byte[0]);
        Journal j = Journal.open(dir, JournalOptions.defaults(), FileStore.DEFAULT, e -> {});
        j.append(LegacySegments.PLAIN.get(1)).get();
        j.close();
        assertThat(ByteBuffer.wrap(Files.readAllBytes(dir.resolve("journal-000001.log")))
                        .getInt(0))
                .isEqualTo(SegmentFile.MAGIC);
        assertThat(replayed())
                .containsExactly(Entry.of(LegacySegments.PLAIN.get(1).toEntry()));
    }

    @Test
    void aSegmentOfANewerFormatIsRefusedWithWhatToDo() throws Exception {
        ByteBuffer future = ByteBuffer.allocate(SegmentFile.HEADER_BYTES + 16)
                .putInt(SegmentFile.MAGIC)
                .putShort((short) 2)
                .putShort((short) 0);
        Files.write(dir.resolve("journal-000001.log"), future.array());
        assertThatThrownBy(() -> Journal.open(dir, JournalOptions.defaults(), FileStore.DEFAULT, e -> {}))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("journal-000001.log")
                .hasMessageContaining("format version 2")
                .hasMessageContaining("written by a newer bridge");
        assertThat(Files.size(dir.resolve("journal-000001.log")))
                .as("left as it was")
                .isEqualTo(SegmentFile.HEADER_BYTES + 16);
    }

    private void copyFixture(String fixture, String file) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/wal/" + fixture + "/" + file)) {
            assertThat(in).as("fixture %s/%s", fixture, file).isNotNull();
            Files.copy(in, dir.resolve(file));
        }
    }

    private List<Entry> replayed() throws IOException {
        List<Entry> out = new ArrayList<>();
        Journal.open(dir, JournalOptions.defaults().withFsync(false), FileStore.DEFAULT, e -> out.add(Entry.of(e)))
                .close();
        return out;
    }

    private static List<Entry> encoded(List<JournalRecord> records) {
        return records.stream().map(r -> Entry.of(r.toEntry())).toList();
    }

    /** A journal entry with value equality (a record's array compares by identity). */
    private record Entry(byte type, List<Byte> payload) {
        static Entry of(JournalEntry e) {
            List<Byte> bytes = new ArrayList<>(e.payload().length);
            for (byte b : e.payload()) {
                bytes.add(b);
            }
            return new Entry(e.type(), bytes);
        }
    }
}
