package io.k8s4claw.bridge.wal;

/**
 * @param fsync         force every batch to stable storage before completing its appends (false only for
 *                      benchmarks and tests: an ack then means "written to the page cache")
 * @param segmentBytes  a segment is closed and a new one started beyond this size
 */
public record JournalOptions(boolean fsync, long segmentBytes) {

    public static JournalOptions defaults() {
        return new JournalOptions(true, 64L << 20);
    }

    public JournalOptions withFsync(boolean on) {
        return new JournalOptions(on, segmentBytes);
    }

    public JournalOptions withSegmentBytes(long bytes) {
        return new JournalOptions(fsync, bytes);
    }
}
