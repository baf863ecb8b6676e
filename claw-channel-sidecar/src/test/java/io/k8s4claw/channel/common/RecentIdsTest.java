package io.k8s4claw.channel.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.k8s4claw.testkit.time.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecentIdsTest {

    @Test
    void anIdIsNewOnceThenADuplicate() {
        RecentIds ids = new RecentIds(10, 60_000);
        assertTrue(ids.firstTime("Ev1"));
        assertFalse(ids.firstTime("Ev1"));
        assertTrue(ids.contains("Ev1"));
        assertFalse(ids.contains("Ev2"));
        assertTrue(ids.firstTime("Ev2"));
    }

    @Test
    void theOldestFallOutBeyondCapacity() {
        RecentIds ids = new RecentIds(3, 60_000);
        for (String id : new String[] {"a", "b", "c", "d"}) assertTrue(ids.firstTime(id));
        assertFalse(ids.contains("a"), "the oldest of four with capacity three is forgotten");
        assertTrue(ids.contains("b"));
        assertTrue(ids.contains("d"));
        assertEquals(3, ids.size());
        assertTrue(ids.firstTime("a"), "a fallen-out id counts as new again");
    }

    @Test
    void idsExpireAfterTheTtl() {
        MutableClock clock = new MutableClock(Instant.EPOCH);
        RecentIds ids = new RecentIds(100, 1_000, clock);
        ids.firstTime("old");
        clock.set(Instant.ofEpochMilli(600));
        ids.firstTime("young");
        clock.set(Instant.ofEpochMilli(1_000));
        assertTrue(ids.contains("old"), "exactly at the ttl still remembered");
        clock.set(Instant.ofEpochMilli(1_001));
        assertFalse(ids.contains("old"));
        assertTrue(ids.contains("young"));
        assertTrue(ids.firstTime("old"));
    }

    @Test
    void aForgottenIdIsNewAgainAndTheRestStay() {
        RecentIds ids = new RecentIds(5, 60_000);
        ids.firstTime("x");
        ids.firstTime("y");
        ids.forget("x");
        ids.forget("never-seen");
        assertFalse(ids.contains("x"));
        assertTrue(ids.contains("y"));
        assertEquals(1, ids.size());
        assertTrue(ids.firstTime("x"));
        assertFalse(ids.firstTime("x"));
    }

    @Test
    void memoryGrowsWithUseNotWithCapacity() {
        RecentIds ids = new RecentIds(20_000, 60_000);
        assertEquals(0, ids.allocatedSlots(), "an idle channel allocates nothing");
        for (int i = 0; i < 100; i++) ids.firstTime("id-" + i);
        assertEquals(128, ids.allocatedSlots());
        for (int i = 100; i < 50_000; i++) ids.firstTime("id-" + i);
        assertEquals(20_000, ids.allocatedSlots(), "never beyond capacity");
        assertEquals(20_000, ids.size());
    }

    /** Against a straightforward model (the LinkedHashMap this replaced), over random operations. */
    @Test
    void behavesLikeABoundedInsertionOrderedSetWithTtl() {
        Random random = new Random(42);
        MutableClock clock = new MutableClock(Instant.EPOCH);
        int capacity = 300;
        long ttl = 5_000;
        RecentIds ids = new RecentIds(capacity, ttl, clock);
        LinkedHashMap<String, Long> model = new LinkedHashMap<>();
        for (int op = 0; op < 100_000; op++) {
            clock.advance(Duration.ofMillis(random.nextInt(3)));
            String id = "id-" + random.nextInt(1_000);
            for (var it = model.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Long> e = it.next();
                if (clock.millis() - e.getValue() <= ttl) break;
                it.remove();
            }
            switch (random.nextInt(4)) {
                case 0, 1 -> {
                    boolean expected = !model.containsKey(id);
                    if (expected) {
                        model.put(id, clock.millis());
                        if (model.size() > capacity)
                            model.remove(model.keySet().iterator().next());
                    }
                    assertEquals(expected, ids.firstTime(id), "firstTime(" + id + ") at op " + op);
                }
                case 2 -> {
                    model.remove(id);
                    ids.forget(id);
                }
                default -> assertEquals(model.containsKey(id), ids.contains(id), "contains(" + id + ") at op " + op);
            }
        }
    }

    @Test
    void distinctIdsAreNotTakenForDuplicates() {
        RecentIds ids = new RecentIds(20_000, Long.MAX_VALUE);
        Set<String> seen = new HashSet<>();
        Random random = new Random(7);
        int duplicatesReported = 0;
        for (int i = 0; i < 200_000; i++) {
            String id = Long.toHexString(random.nextLong()) + "." + i;
            if (!seen.add(id)) continue;
            if (!ids.firstTime(id)) duplicatesReported++;
        }
        assertEquals(0, duplicatesReported);
        assertEquals(20_000, ids.size());
    }
}
