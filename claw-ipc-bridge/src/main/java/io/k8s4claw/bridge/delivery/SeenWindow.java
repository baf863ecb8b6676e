package io.k8s4claw.bridge.delivery;

/**
 * The deduplication window: the last {@code capacity} completed messages, each as the first 128 bits of its
 * digest ({@link io.k8s4claw.bridge.runtime.InboundMessage#digestOf}, the SHA-256 its idempotency key is made
 * from), oldest evicted first. Not thread-safe (the {@link InboundLedger} guards it).
 *
 * <p>Why not a map of message keys: every entry was a key record, two strings and a map node that stayed alive
 * for the whole window (20,000 messages), so at full load every young collection copied them and the old
 * generation filled with them (GC logs before and after: {@code claw-benchmarks/README.md}). Here the entries
 * are three parallel {@code long} rings and an open-addressing index of {@code long}s — no object per entry. Two different messages share
 * 128 bits with a probability of about 10<sup>-34</sup> per lookup at 20,000 entries.
 */
final class SeenWindow {

    private final int capacity;
    private final long[] his;
    private final long[] los;
    private final long[] ats;
    /** Ring position of the oldest entry. */
    private int head;
    private int size;
    /**
     * Linear-probing index, at most half full: {@code tag << 32 | (ring position + 1)}, 0 for a free cell. The
     * tag (32 digest bits, which also pick the home cell) lets a probe and a deletion's back-shift go without
     * reading the rings at random places: only a matching tag is checked against the whole digest.
     */
    private final long[] index;
    private final int mask;

    SeenWindow(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("dedupe window must not be negative: " + capacity);
        }
        this.capacity = capacity;
        this.his = new long[capacity];
        this.los = new long[capacity];
        this.ats = new long[capacity];
        int cells = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) << 1;
        this.index = new long[cells];
        this.mask = cells - 1;
    }

    int size() {
        return size;
    }

    boolean contains(long hi, long lo) {
        return find(hi, lo) >= 0;
    }

    /** Remembers a digest (or refreshes its time, keeping its place); evicts the oldest beyond capacity. */
    void add(long hi, long lo, long atMs) {
        if (capacity == 0) {
            return;
        }
        int cell = find(hi, lo);
        if (cell >= 0) {
            ats[slot(index[cell])] = atMs;
            return;
        }
        if (size == capacity) {
            evictOldest();
        }
        int pos = (head + size) % capacity;
        his[pos] = hi;
        los[pos] = lo;
        ats[pos] = atMs;
        size++;
        int tag = tag(hi);
        int c = tag & mask;
        while (index[c] != 0) {
            c = (c + 1) & mask;
        }
        index[c] = (long) tag << 32 | (pos + 1);
    }

    /** Every entry, oldest first, as {@code (digest high bits, digest low bits, completed at ms)} triples. */
    long[] entries() {
        long[] out = new long[3 * size];
        for (int i = 0; i < size; i++) {
            int pos = (head + i) % capacity;
            out[3 * i] = his[pos];
            out[3 * i + 1] = los[pos];
            out[3 * i + 2] = ats[pos];
        }
        return out;
    }

    private void evictOldest() {
        int cell = find(his[head], los[head]);
        removeCell(cell);
        head = (head + 1) % capacity;
        size--;
    }

    /** The index cell holding the digest, or -1. */
    private int find(long hi, long lo) {
        if (capacity == 0) {
            return -1;
        }
        int tag = tag(hi);
        for (int c = tag & mask; index[c] != 0; c = (c + 1) & mask) {
            long e = index[c];
            if ((int) (e >>> 32) == tag) {
                int pos = slot(e);
                if (his[pos] == hi && los[pos] == lo) {
                    return c;
                }
            }
        }
        return -1;
    }

    /**
     * Frees a cell and shifts back the entries after it in its probe run that would otherwise no longer be
     * found (linear probing's deletion without tombstones).
     */
    private void removeCell(int cell) {
        int free = cell;
        for (int c = (cell + 1) & mask; index[c] != 0; c = (c + 1) & mask) {
            int home = (int) (index[c] >>> 32) & mask;
            // the entry at c may move to `free` unless its home lies cyclically in (free, c]
            boolean homeBetween = free <= c ? home > free && home <= c : home > free || home <= c;
            if (!homeBetween) {
                index[free] = index[c];
                free = c;
            }
        }
        index[free] = 0;
    }

    /** The digest is uniformly distributed already: its top 32 bits make the tag and, masked, the home cell. */
    private static int tag(long hi) {
        return (int) (hi >>> 32);
    }

    private static int slot(long entry) {
        return (int) entry - 1;
    }
}
