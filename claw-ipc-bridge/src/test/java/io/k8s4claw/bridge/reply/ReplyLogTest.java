package io.k8s4claw.bridge.reply;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ReplyLogTest {

    /** Appends, near-in-order and random removals, out-of-order puts and replacements agree with a TreeMap. */
    @Test
    void behavesLikeASortedMap() {
        Random random = new Random(7);
        ReplyLog<String> log = new ReplyLog<>();
        TreeMap<Long, String> model = new TreeMap<>();
        long next = 1;
        for (int op = 0; op < 60_000; op++) {
            int kind = random.nextInt(10);
            if (kind < 4) {
                log.put(next, "v" + next);
                model.put(next, "v" + next);
                next += 1 + (random.nextInt(20) == 0 ? random.nextInt(1000) : 0); // now and then a gap
            } else if (kind < 8 && !model.isEmpty()) {
                // acks: mostly the oldest, sometimes any
                long seq = random.nextBoolean() ? model.firstKey() : 1 + (long) random.nextInt((int) next);
                assertThat(log.remove(seq)).isEqualTo(model.remove(seq));
            } else if (kind == 8) {
                long seq = 1 + (long) random.nextInt((int) next); // a replayed record: anywhere, maybe present
                log.put(seq, "r" + op);
                model.put(seq, "r" + op);
            } else if (kind == 9 && random.nextInt(50) == 0) {
                // a sidecar's Hello: everything up to its last_reply_seq counts as acked
                long through = 1 + (long) random.nextInt((int) next);
                List<Long> expected =
                        new ArrayList<>(model.headMap(through, true).keySet());
                expected.forEach(model::remove);
                assertThat(log.removeThrough(through)).containsExactlyElementsOf(expected);
            } else {
                long seq = 1 + (long) random.nextInt((int) next + 5);
                assertThat(log.get(seq)).isEqualTo(model.get(seq));
            }
            if (op % 997 == 0) {
                assertSame(log, model, random.nextInt((int) next + 5));
            }
        }
        assertSame(log, model, 0);
    }

    private static void assertSame(ReplyLog<String> log, TreeMap<Long, String> model, long after) {
        assertThat(log.size()).isEqualTo(model.size());
        List<String> all = new ArrayList<>();
        log.forEach(all::add);
        assertThat(all).containsExactlyElementsOf(model.values());
        List<Map.Entry<Long, String>> tail = new ArrayList<>();
        for (int i = log.firstAfter(after); i < log.end(); i++) {
            if (log.entryAt(i) != null) {
                tail.add(Map.entry(log.seqAt(i), log.entryAt(i)));
            }
        }
        assertThat(tail)
                .containsExactlyElementsOf(
                        new ArrayList<>(model.tailMap(after, false).entrySet()));
    }
}
