package io.k8s4claw.bridge.delivery;

import java.util.Arrays;

/**
 * The deduplication window: the last {@code capacity} completed messages, each as the first 128 bits of its
 * digest ({@link io.k8s4claw.bridge.runtime.InboundMessage#digestOf}, the SHA-256 its idempotency key is made
 * from), oldest evicted first. Not thread-safe (the {@link InboundLedger} guards it).
 *
 * <p>Why not a map of message keys: every entry was a key record, two strings and a map node that stayed alive
 * for the whole window (20,000 messages), so at full load every young collection copied them and the old
 * generation filled with them (GC logs before and after: {@code claw-benchmarks/README.md}). Here the entries
 * are three parallel {@code long} rings and an open-addressing index of {@code long}s — no object per entry. Two
 * different messages share 128 bits with a probability of about 10<sup>-34</sup> per lookup at 20,000 entries.
 */
final class SeenWindow {

    private final int capacity;
    private final long[] his;
    private final long[] los;
    private final long[] ats;
    /** The index cell of each ring entry: entries never move between rebuilds. */
    private final int[] cellOf;
    /** Ring position of the oldest entry. */
    private int head;

    private int size;
    /**
     * Linear-probing index: {@code tag << 32 | (ring position + 1)}, 0 for a free cell, {@link #TOMBSTONE} for an
     * evicted entry's. The tag (32 digest bits, which also pick the home cell) lets a probe pass other entries
     * without reading the rings at random places: only a matching tag is checked against the whole digest.
     *
     * <p>Why tombstones: evicting the oldest entry is then one store into its cell (found through
     * {@link #cellOf}), where deleting it in place had to find it first — a probe from its home cell, a cache miss
     * into a 512 KiB table for every message (JFR: the eviction's probe was a third of the window's time, itself
     * the loop's largest single cost). Tombstones lengthen probes, so once live and dead cells reach
     * {@link #maxUsed} the index is rebuilt from the ring: about once per half a window of messages, a sequential
     * clear and one insert per live entry.
     */
    private final long[] index;

    private final int mask;
    /** Cells not free: live entries and tombstones. */
    private int used;

    private final int maxUsed;
    /** Never a live cell: its slot part is 0, and live cells hold ring position + 1. */
    private static final long TOMBSTONE = 0xFFFF_FFFF_0000_0000L;

    SeenWindow(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("dedupe window must not be negative: " + capacity);
        }
        this.capacity = capacity;
        this.his = new long[capacity];
        this.los = new long[capacity];
        this.ats = new long[capacity];
        this.cellOf = new int[capacity];
        int cells = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) << 1; // at least twice the capacity
        this.index = new long[cells];
        this.mask = cells - 1;
        // at most 5/8 of the cells in use (probes stay short), more than a full window, and one cell always free
        this.maxUsed = Math.max(capacity + 1, cells * 5 / 8);
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
            index[cellOf[head]] = TOMBSTONE;
            head = (head + 1) % capacity;
            size--;
        }
        if (used >= maxUsed) {
            rebuild();
        }
        int pos = (head + size) % capacity;
        his[pos] = hi;
        los[pos] = lo;
        ats[pos] = atMs;
        size++;
        place(pos, tag(hi));
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

    /** Puts ring entry {@code pos} into the first free or dead cell of its probe run (it is known absent). */
    private void place(int pos, int tag) {
        int c = tag & mask;
        while (index[c] != 0 && index[c] != TOMBSTONE) {
            c = (c + 1) & mask;
        }
        if (index[c] == 0) {
            used++;
        }
        index[c] = (long) tag << 32 | (pos + 1);
        cellOf[pos] = c;
    }

    /** Clears the index of tombstones: every live entry placed again, oldest first. */
    private void rebuild() {
        Arrays.fill(index, 0);
        used = 0;
        for (int i = 0; i < size; i++) {
            int pos = (head + i) % capacity;
            place(pos, tag(his[pos]));
        }
    }

    /** The index cell holding the digest, or -1. */
    private int find(long hi, long lo) {
        if (capacity == 0) {
            return -1;
        }
        int tag = tag(hi);
        for (int c = tag & mask; index[c] != 0; c = (c + 1) & mask) {
            long e = index[c];
            if ((int) (e >>> 32) == tag && e != TOMBSTONE) {
                int pos = slot(e);
                if (his[pos] == hi && los[pos] == lo) {
                    return c;
                }
            }
        }
        return -1;
    }

    /** The digest is uniformly distributed already: its top 32 bits make the tag and, masked, the home cell. */
    private static int tag(long hi) {
        return (int) (hi >>> 32);
    }

    private static int slot(long entry) {
        return (int) entry - 1;
    }
}
