package io.k8s4claw.bridge.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's syncer thread ({@code journal-sync}, BookKeeper's {@code ForceWriteThread}): one
 * {@code fdatasync} covers every range the loop wrote before it — the loop keeps writing meanwhile, so a busy
 * bridge syncs back to back and each sync carries everything that arrived during the previous one — then the
 * completions go back to the loop in one task. It also runs the file housekeeping (directory syncs, deleting
 * compacted segments, closing retired ones) that would otherwise stall the loop for tens of milliseconds.
 */
final class JournalSyncer {

    private static final Logger log = LoggerFactory.getLogger(JournalSyncer.class);

    /** What the syncer needs of its journal. */
    interface Owner {
        /** Runs {@code task} on the journal's loop. */
        void runOnLoop(Runnable task);

        Journal.Listener listener();

        /** Remembers the last failure (the ops endpoint reports it). */
        void failed(JournalException failure);
    }

    /**
     * A written range waiting for the syncer; {@code close} set when its segment is finished with; {@code failure}
     * set for a batch whose write failed — queued anyway so that its refusal does not overtake the completions of
     * earlier batches still being synced; {@code after} is file housekeeping (directory syncs, deleting compacted
     * segments) the syncer runs once {@code channel} is forced — never when that force failed — and before it
     * hands the batch's completions back.
     */
    record SyncRequest(
            FileChannel channel,
            List<Journal.Completion> waiters,
            int records,
            long bytes,
            boolean close,
            JournalException failure,
            Runnable after) {

        static SyncRequest batch(FileChannel channel, List<Journal.Completion> waiters, int records, long bytes) {
            return new SyncRequest(channel, waiters, records, bytes, false, null, null);
        }

        static SyncRequest failed(List<Journal.Completion> waiters, int records, JournalException failure) {
            return new SyncRequest(null, waiters, records, 0, false, failure, null);
        }

        /** A segment the loop no longer writes: forced, then closed. */
        static SyncRequest retired(FileChannel channel) {
            return new SyncRequest(channel, List.of(), 0, 0, true, null, null);
        }

        /** Housekeeping run once {@code channel} (if any) is forced. */
        static SyncRequest after(FileChannel channel, Runnable after) {
            return new SyncRequest(channel, List.of(), 0, 0, false, null, after);
        }
    }

    private static final SyncRequest WAKE = new SyncRequest(null, List.of(), 0, 0, false, null, null);

    private final boolean fsync;
    private final Owner owner;
    private final LinkedBlockingQueue<SyncRequest> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    /** Set by {@link #stop} once the last batch was handed over. */
    private volatile boolean stop;
    /** Requests handed over whose completions have not run yet (loop only). */
    private int outstanding;

    JournalSyncer(boolean fsync, Owner owner) {
        this.fsync = fsync;
        this.owner = owner;
        this.thread = new Thread(this::run, "journal-sync");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    /** Requests handed over and not completed yet: a sync is in flight. Loop only. */
    int outstanding() {
        return outstanding;
    }

    /** Hands a written range (or a failure, or a finished segment, or housekeeping) over. Loop only. */
    void submit(SyncRequest r) {
        outstanding++;
        queue.add(r);
    }

    /** Lets the thread finish once it has synced everything handed over so far; waits up to 30 s for it. */
    void stop() throws InterruptedException {
        stop = true;
        queue.add(WAKE);
        thread.join(30_000);
    }

    /** fdatasync; the failure that refuses the records it covered, or null. */
    JournalException force(FileChannel channel) {
        try {
            channel.force(false);
            return null;
        } catch (IOException e) {
            JournalException failure =
                    new JournalException("fsync of the write-ahead log failed: " + e.getMessage(), e);
            owner.failed(failure);
            log.atWarn()
                    .addKeyValue("error", e.getMessage())
                    .log("journal fsync failed; the messages it covered are refused");
            return failure;
        }
    }

    private void run() {
        List<SyncRequest> requests = new ArrayList<>();
        while (true) {
            try {
                SyncRequest first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (stop && queue.isEmpty()) {
                        break;
                    }
                    continue;
                }
                requests.add(first);
                queue.drainTo(requests);
                sync(List.copyOf(requests));
                requests.clear();
                if (stop && queue.isEmpty()) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    private void sync(List<SyncRequest> requests) {
        // Usually one file; after a roll or a compaction the older one too (forced, then closed).
        long t0 = System.nanoTime();
        Map<FileChannel, JournalException> outcomes = new IdentityHashMap<>();
        for (SyncRequest r : requests) {
            if (fsync && r.channel != null && r.failure == null && !outcomes.containsKey(r.channel)) {
                outcomes.put(r.channel, force(r.channel));
            }
        }
        long nanos = System.nanoTime() - t0;
        for (SyncRequest r : requests) {
            if (r.after != null && (r.channel == null || outcomes.get(r.channel) == null)) {
                try {
                    r.after.run();
                } catch (RuntimeException e) {
                    log.warn("journal housekeeping failed: {}", e.toString());
                }
            }
            if (r.close) {
                closeQuietly(r.channel);
            }
        }
        int counted = (int) requests.stream().filter(r -> r != WAKE).count();
        owner.runOnLoop(() -> {
            outstanding -= counted;
            Journal.Listener listener = owner.listener();
            for (SyncRequest r : requests) {
                JournalException outcome =
                        r.failure != null ? r.failure : r.channel == null ? null : outcomes.get(r.channel);
                if (outcome != null) {
                    listener.onFailure(outcome);
                } else if (r.records > 0) {
                    listener.onBatch(r.records, r.bytes, nanos);
                }
                Journal.complete(r.waiters, outcome);
            }
        });
    }

    static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            log.warn("closing a journal segment failed: {}", e.toString());
        }
    }
}
