package io.k8s4claw.bridge.reply;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * One channel's un-acked replies ordered by {@code reply_seq}: two parallel arrays sorted by seq, removed entries
 * left as holes until the front is passed or half the room is holes. Not thread-safe (guarded by the channel's
 * monitor in {@link ReplyService}).
 *
 * <p>Why not a {@code TreeMap<Long, …>}: replies are appended with ever higher seqs and acked nearly in order,
 * which makes every operation here an append, a binary search or a step along an array, while the tree boxed
 * each seq and rebalanced on every insert and delete (JFR: 5–7 % of the event loop under relay load). Out-of-order
 * puts (a journal replaying records that a checkpoint also holds) are inserted in place.
 */
final class ReplyLog<E> {

    private long[] seqs = new long[16];
    private Object[] entries = new Object[16];
    /** Live entries lie in [head, tail); a null entry in between is a removed one (its seq stays for searching). */
    private int head;

    private int tail;
    private int live;

    int size() {
        return live;
    }

    /** Adds or replaces the entry of {@code seq}. */
    void put(long seq, E entry) {
        if (head == tail || seq > seqs[tail - 1]) {
            makeRoom();
            seqs[tail] = seq;
            entries[tail++] = entry;
            live++;
            return;
        }
        int i = Arrays.binarySearch(seqs, head, tail, seq);
        if (i >= 0) {
            if (entries[i] == null) {
                live++;
            }
            entries[i] = entry;
            return;
        }
        if (tail == seqs.length) {
            makeRoom(); // closes holes: the insertion point moves
            i = Arrays.binarySearch(seqs, head, tail, seq);
        }
        int at = -i - 1;
        System.arraycopy(seqs, at, seqs, at + 1, tail - at);
        System.arraycopy(entries, at, entries, at + 1, tail - at);
        seqs[at] = seq;
        entries[at] = entry;
        tail++;
        live++;
    }

    @SuppressWarnings("unchecked")
    E get(long seq) {
        int i = indexOf(seq);
        return i < 0 ? null : (E) entries[i];
    }

    /** Removes and returns the entry of {@code seq}, or null. */
    @SuppressWarnings("unchecked")
    E remove(long seq) {
        int i = indexOf(seq);
        if (i < 0 || entries[i] == null) {
            return null;
        }
        E e = (E) entries[i];
        entries[i] = null;
        live--;
        while (head < tail && entries[head] == null) {
            head++;
        }
        if (head == tail) {
            head = 0;
            tail = 0;
        }
        return e;
    }

    /** Removes every entry with a seq up to and including {@code seq}; returns their seqs in order. */
    List<Long> removeThrough(long seq) {
        List<Long> removed = new ArrayList<>();
        for (int i = head; i < tail && seqs[i] <= seq; i++) {
            if (entries[i] != null) {
                removed.add(seqs[i]);
            }
        }
        removed.forEach(this::remove);
        return removed;
    }

    /** Position of the first live entry with a seq above {@code seq} (or {@link #end()}): for in-order walks. */
    int firstAfter(long seq) {
        int i = Arrays.binarySearch(seqs, head, tail, seq);
        int p = i >= 0 ? i + 1 : -i - 1;
        while (p < tail && entries[p] == null) {
            p++;
        }
        return p;
    }

    /** The position of the first entry (live or not) for walks with {@link #entryAt}. */
    int start() {
        return head;
    }

    /** The position after the last entry. */
    int end() {
        return tail;
    }

    long seqAt(int position) {
        return seqs[position];
    }

    /** The entry at a position, null for a removed one. */
    @SuppressWarnings("unchecked")
    E entryAt(int position) {
        return (E) entries[position];
    }

    /** Every live entry, in seq order. */
    void forEach(Consumer<E> action) {
        for (int i = head; i < tail; i++) {
            E e = entryAt(i);
            if (e != null) {
                action.accept(e);
            }
        }
    }

    private int indexOf(long seq) {
        return head == tail ? -1 : Arrays.binarySearch(seqs, head, tail, seq);
    }

    /** Makes room for one more at the tail: closes the holes, growing only when mostly live. */
    private void makeRoom() {
        if (tail < seqs.length) {
            return;
        }
        if (live > seqs.length / 2) {
            seqs = Arrays.copyOf(seqs, seqs.length * 2);
            entries = Arrays.copyOf(entries, entries.length * 2);
        }
        int n = 0;
        for (int i = head; i < tail; i++) {
            if (entries[i] != null) {
                seqs[n] = seqs[i];
                entries[n++] = entries[i];
            }
        }
        Arrays.fill(entries, n, tail, null);
        head = 0;
        tail = n;
    }
}
