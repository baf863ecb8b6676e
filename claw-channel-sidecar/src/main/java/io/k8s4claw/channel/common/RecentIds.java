package io.k8s4claw.channel.common;

import java.security.SecureRandom;
import java.time.Clock;

/**
 * A bounded memory of recently seen ids (event ids, message ids, delivery ids) for deduplication: the oldest entries
 * fall out beyond {@code capacity} or after {@code ttlMillis}. Thread-safe.
 *
 * <p>Why not a {@code LinkedHashMap<String, Long>}: a channel keeps 20,000 ids per kind, and each map entry with its
 * id string and boxed time cost ~130 bytes; a Slack, a Discord and a Telegram channel after 10,000 messages each held
 * ~7 MiB of them, most of the shared channel container's live heap (`ClawPodMemoryBenchmark`, heap histogram). Here an
 * id is kept as a 64-bit keyed hash and its time as a {@code long}, in a ring in arrival order (oldest first) plus an
 * open-addressing index: 16 bytes per id plus at most 8 in the index, in arrays that grow with use up to
 * {@code capacity}, so an idle channel holds almost nothing.
 *
 * <p>Two different ids taken for one (a hash collision) would drop a message as a duplicate: with 64-bit hashes and
 * 20,000 ids the chance is about 1 in 10<sup>10</sup> per id. The hash is keyed with a random per-process seed so the
 * ids a platform sends cannot be chosen to collide.
 */
public final class RecentIds {
    /** Marks a ring slot whose id was {@link #forget forgotten}; it stays in the ring until the ring passes it. */
    private static final long FORGOTTEN = Long.MIN_VALUE;

    private static final int INITIAL_SLOTS = 64;
    private static final long SEED = new SecureRandom().nextLong();

    private final int capacity;
    private final long ttlMillis;
    private final Clock clock;

    /** The ring, oldest at {@code head}: each id's hash and the time it was seen (or {@link #FORGOTTEN}). */
    private long[] hashes = new long[0];

    private long[] times = new long[0];
    private int head;
    /** Ring slots in use, forgotten ones included. */
    private int count;

    private int forgotten;
    /** Open addressing over the ring, linear probing: ring slot + 1, 0 for an empty cell; at most half full. */
    private int[] index = new int[0];

    public RecentIds(int capacity, long ttlMillis) {
        this(capacity, ttlMillis, Clock.systemUTC());
    }

    public RecentIds(int capacity, long ttlMillis, Clock clock) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        this.capacity = capacity;
        this.ttlMillis = ttlMillis;
        this.clock = clock;
    }

    /** Records {@code id}; true when it is new (not seen within the window). */
    public synchronized boolean firstTime(String id) {
        long now = clock.millis();
        expire(now);
        long hash = hash(id);
        if (find(hash) >= 0) return false;
        // forgotten slots do not count against the capacity: squeeze them out before dropping a live id
        if (count == capacity && forgotten > 0) rebuild(hashes.length);
        if (count == capacity) dropOldest();
        if (count == hashes.length) rebuild((int) Math.min(capacity, Math.max(INITIAL_SLOTS, 2L * hashes.length)));
        int slot = (head + count) % hashes.length;
        hashes[slot] = hash;
        times[slot] = now;
        count++;
        insert(hash, slot);
        return true;
    }

    /** Forgets {@code id} (its processing failed; a redelivery must be processed again). */
    public synchronized void forget(String id) {
        int cell = find(hash(id));
        if (cell < 0) return;
        int slot = index[cell] - 1;
        times[slot] = FORGOTTEN;
        forgotten++;
        deleteCell(cell);
    }

    public synchronized boolean contains(String id) {
        expire(clock.millis());
        return find(hash(id)) >= 0;
    }

    /** Ids remembered now (forgotten ones not counted). */
    synchronized int size() {
        return count - forgotten;
    }

    /** Slots allocated (for tests: the arrays grow with use). */
    synchronized int allocatedSlots() {
        return hashes.length;
    }

    private void expire(long now) {
        while (count > 0) {
            long t = times[head];
            if (t != FORGOTTEN && now - t <= ttlMillis) break;
            dropOldest();
        }
    }

    private void dropOldest() {
        if (times[head] == FORGOTTEN) forgotten--;
        else deleteCell(find(hashes[head]));
        head = (head + 1) % hashes.length;
        count--;
    }

    /** Copies the live ids, oldest first from slot 0, into a ring of {@code slots} and rebuilds the index. */
    private void rebuild(int slots) {
        long[] h = new long[slots];
        long[] t = new long[slots];
        int live = 0;
        for (int i = 0; i < count; i++) {
            int from = (head + i) % hashes.length;
            if (times[from] == FORGOTTEN) continue;
            h[live] = hashes[from];
            t[live++] = times[from];
        }
        hashes = h;
        times = t;
        head = 0;
        count = live;
        forgotten = 0;
        index = new int[Integer.highestOneBit(slots * 2 - 1) * 2];
        for (int i = 0; i < count; i++) insert(hashes[i], i);
    }

    /** The index cell holding {@code hash}, or -1. */
    private int find(long hash) {
        if (index.length == 0) return -1;
        int mask = index.length - 1;
        for (int cell = home(hash, mask); ; cell = (cell + 1) & mask) {
            int entry = index[cell];
            if (entry == 0) return -1;
            if (hashes[entry - 1] == hash) return cell;
        }
    }

    private void insert(long hash, int slot) {
        int mask = index.length - 1;
        int cell = home(hash, mask);
        while (index[cell] != 0) cell = (cell + 1) & mask;
        index[cell] = slot + 1;
    }

    /** Removes a cell and shifts later cells of its probe run back, so lookups need no tombstones. */
    private void deleteCell(int cell) {
        int mask = index.length - 1;
        int hole = cell;
        for (int next = (hole + 1) & mask; index[next] != 0; next = (next + 1) & mask) {
            int home = home(hashes[index[next] - 1], mask);
            // the entry at next may fill the hole unless its home lies cyclically in (hole, next]
            boolean homeAfterHole = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
            if (!homeAfterHole) {
                index[hole] = index[next];
                hole = next;
            }
        }
        index[hole] = 0;
    }

    private static int home(long hash, int mask) {
        return (int) (hash ^ (hash >>> 32)) & mask;
    }

    /** A 64-bit hash of the id's UTF-16 code units, keyed with the process's seed (murmur3's finaliser per step). */
    static long hash(String id) {
        long h = SEED ^ id.length();
        for (int i = 0; i < id.length(); i++) {
            h = mix(h ^ id.charAt(i)) + 0x9E3779B97F4A7C15L;
        }
        return mix(h);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }
}
