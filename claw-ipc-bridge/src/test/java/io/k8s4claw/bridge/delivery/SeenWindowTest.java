package io.k8s4claw.bridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeenWindowTest {

    /** The window behaves like the insertion-ordered map it replaced, evicting the oldest beyond capacity. */
    @Test
    void behavesLikeAnInsertionOrderedMapWithEviction() {
        for (int capacity : new int[] {1, 2, 7, 8, 64}) {
            Random random = new Random(capacity);
            SeenWindow window = new SeenWindow(capacity);
            LinkedHashMap<List<Long>, Long> model = new LinkedHashMap<>();
            // few distinct keys, half of them sharing one of five tags (the top 32 bits, which pick the home cell):
            // long probe runs, equal tags of different digests, tombstones reused and the index rebuilt often
            long[][] keys = new long[capacity * 3 + 5][];
            for (int i = 0; i < keys.length; i++) {
                long hi = i % 2 == 0 ? (long) (i % 5) << 32 | (random.nextLong() & 0xFFFFFFFFL) : random.nextLong();
                keys[i] = new long[] {hi, random.nextLong()};
            }
            for (int op = 0; op < 50_000; op++) {
                long[] k = keys[random.nextInt(keys.length)];
                List<Long> mk = List.of(k[0], k[1]);
                if (random.nextInt(3) == 0) {
                    assertThat(window.contains(k[0], k[1]))
                            .as("capacity %d op %d", capacity, op)
                            .isEqualTo(model.containsKey(mk));
                } else {
                    window.add(k[0], k[1], op);
                    model.put(mk, (long) op);
                    if (model.size() > capacity) {
                        Iterator<List<Long>> it = model.keySet().iterator();
                        it.next();
                        it.remove();
                    }
                }
            }
            assertThat(window.size()).isEqualTo(model.size());
            List<List<Long>> seen = new ArrayList<>();
            long[] e = window.entries();
            for (int i = 0; i < e.length; i += 3) {
                seen.add(List.of(e[i], e[i + 1]));
                assertThat(e[i + 2]).isEqualTo(model.get(List.of(e[i], e[i + 1])));
            }
            assertThat(seen).as("oldest first").containsExactlyElementsOf(model.keySet());
            for (long[] k : keys) {
                assertThat(window.contains(k[0], k[1])).isEqualTo(model.containsKey(List.of(k[0], k[1])));
            }
        }
    }

    @Test
    void addingAKnownDigestRefreshesItsTimeButNotItsPlace() {
        SeenWindow window = new SeenWindow(2);
        window.add(1, 1, 10);
        window.add(2, 2, 20);
        window.add(1, 1, 30); // known: its time changes, it is still the oldest
        window.add(3, 3, 40); // evicts (1, 1)
        Map<Long, Long> left = new LinkedHashMap<>();
        long[] e = window.entries();
        for (int i = 0; i < e.length; i += 3) {
            left.put(e[i], e[i + 2]);
        }
        assertThat(left).containsExactly(Map.entry(2L, 20L), Map.entry(3L, 40L));
        assertThat(window.contains(1, 1)).isFalse();
    }

    @Test
    void aWindowOfZeroRemembersNothing() {
        SeenWindow window = new SeenWindow(0);
        window.add(1, 2, 3);
        assertThat(window.contains(1, 2)).isFalse();
        assertThat(window.size()).isZero();
    }
}
