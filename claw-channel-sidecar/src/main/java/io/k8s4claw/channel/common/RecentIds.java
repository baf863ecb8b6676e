package io.k8s4claw.channel.common;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded memory of recently seen ids (event ids, message ids, delivery ids) for deduplication:
 * the oldest entries fall out beyond {@code capacity} or after {@code ttlMillis}. Thread-safe.
 */
public final class RecentIds {
    private final int capacity;
    private final long ttlMillis;
    private final Clock clock;
    private final LinkedHashMap<String, Long> seen;

    public RecentIds(int capacity, long ttlMillis) {
        this(capacity, ttlMillis, Clock.systemUTC());
    }

    public RecentIds(int capacity, long ttlMillis, Clock clock) {
        this.capacity = capacity;
        this.ttlMillis = ttlMillis;
        this.clock = clock;
        this.seen = new LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > RecentIds.this.capacity;
            }
        };
    }

    /** Records {@code id}; true when it is new (not seen within the window). */
    public synchronized boolean firstTime(String id) {
        long now = clock.millis();
        var it = seen.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (now - e.getValue() <= ttlMillis) break;
            it.remove();
        }
        if (seen.containsKey(id)) return false;
        seen.put(id, now);
        return true;
    }

    /** Forgets {@code id} (its processing failed; a redelivery must be processed again). */
    public synchronized void forget(String id) {
        seen.remove(id);
    }

    public synchronized boolean contains(String id) {
        return seen.containsKey(id);
    }
}
