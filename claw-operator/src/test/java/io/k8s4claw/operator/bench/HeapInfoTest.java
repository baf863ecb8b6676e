package io.k8s4claw.operator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The benchmark's reading of {@code jcmd GC.heap_info}, on what Temurin 25 prints for each collector. */
class HeapInfoTest {

    @Test
    void g1PrintsOneHeapLine() {
        String g1 = """
                18285:
                garbage-first heap   total reserved 6172672K, committed 57344K, used 12891K [0x0000000687400000, \
                0x0000000800000000)
                 region size 4096K, 0 young (0K), 0 survivors (0K)
                """;
        assertThat(OperatorConvergenceBenchmark.heapUsed(g1)).isEqualTo(12891L * 1024);
    }

    @Test
    void serialAndParallelSumTheirGenerationsNotTheirSpaces() {
        String serial = """
                18231:
                DefNew     total 116224K, used 2048K [0x0000000687400000, 0x000000068f210000, 0x0000000704d50000)
                 eden space 103360K,   0% used [0x0000000687400000, 0x0000000687400000, 0x000000068d8f0000)
                 from space 12864K,   0% used [0x000000068d8f0000, 0x000000068d8f0000, 0x000000068e580000)
                 to   space 12864K,   0% used [0x000000068e580000, 0x000000068e580000, 0x000000068f210000)
                Tenured    total 258048K, used 12848K [0x0000000704d50000, 0x0000000714950000, 0x0000000800000000)
                 the  space 258048K,   4% used [0x0000000704d50000, 0x00000007059dc0f0, 0x0000000714950000)
                """;
        String parallel = """
                PSYoungGen      total 113152K, used 0K [0x0000000782700000, 0x000000078a500000, 0x0000000800000000)
                 eden space 97280K, 0% used [0x0000000782700000,0x0000000782700000,0x0000000788600000)
                ParOldGen       total 258048K, used 12721K [0x0000000687400000, 0x0000000697000000, 0x0000000782700000)
                 object space 258048K, 4% used [0x0000000687400000,0x000000068806c568,0x0000000697000000)
                """;
        assertThat(OperatorConvergenceBenchmark.heapUsed(serial)).isEqualTo((2048L + 12848) * 1024);
        assertThat(OperatorConvergenceBenchmark.heapUsed(parallel)).isEqualTo(12721L * 1024);
    }

    @Test
    void anAnswerWithoutAHeapLineIsMinusOne() {
        assertThat(OperatorConvergenceBenchmark.heapUsed("18231:\nNot available\n"))
                .isEqualTo(-1);
    }
}
