package io.k8s4claw.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two child JVMs of this JDK, each mapping the same 8 MiB file and writing 16 MiB of its own anonymous memory: the
 * file's pages must count once for the two, the anonymous pages fully, and one process's count must agree with its
 * VmRSS. Needs root (page frame numbers); skipped where they are hidden.
 */
class PodResidentMemoryTest {

    private static final int FILE_MIB = 8;
    private static final int ANON_MIB = 16;
    private static final int FILE_PAGES = FILE_MIB * 256;
    private static final int ANON_PAGES = ANON_MIB * 256;

    @TempDir
    static Path dir;

    private static Path file;
    private static final List<Process> CHILDREN = new ArrayList<>();
    private static PodResidentMemory.Snapshot a;
    private static PodResidentMemory.Snapshot b;

    /** A child: maps the file and reads every page, fills its own direct buffer, says READY and waits. */
    public static final class Mapper {
        public static void main(String[] args) throws Exception {
            MappedByteBuffer mapped;
            try (FileChannel ch = FileChannel.open(Path.of(args[0]))) {
                mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            }
            long sum = 0;
            for (int i = 0; i < mapped.capacity(); i += 4096) sum += mapped.get(i);
            ByteBuffer anon = ByteBuffer.allocateDirect(Integer.parseInt(args[1]) << 20);
            byte[] page = new byte[4096];
            new Random(ProcessHandle.current().pid()).nextBytes(page);
            while (anon.hasRemaining()) anon.put(page);
            System.out.println("READY " + sum + " " + anon.capacity());
            System.out.flush();
            Thread.sleep(600_000);
            System.out.println(mapped.get(0) + anon.get(0)); // both stay reachable until the end
        }
    }

    @BeforeAll
    static void startTwoChildren() throws Exception {
        assumeThat(PodResidentMemory.framesVisible())
                .as("page frame numbers visible (root)")
                .isTrue();
        file = dir.resolve("shared.bin");
        byte[] data = new byte[FILE_MIB << 20];
        new Random(42).nextBytes(data);
        Files.write(file, data);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.getFD().sync();
        }
        for (int i = 0; i < 2; i++) {
            Process p = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-Xmx16m",
                            "-XX:MaxDirectMemorySize=64m",
                            "-XX:+UseSerialGC",
                            "-cp",
                            System.getProperty("java.class.path"),
                            Mapper.class.getName(),
                            file.toString(),
                            Integer.toString(ANON_MIB))
                    .redirectErrorStream(true)
                    .start();
            CHILDREN.add(p);
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            String line = out.readLine();
            if (line == null || !line.startsWith("READY ")) {
                StringBuilder all = new StringBuilder(String.valueOf(line));
                for (String l; (l = out.readLine()) != null; ) all.append('\n').append(l);
                throw new IllegalStateException("the child did not start:\n" + all);
            }
        }
        Thread.sleep(500); // let the JVMs settle (the JIT and GC threads' first allocations)
        a = PodResidentMemory.capture(CHILDREN.get(0).pid());
        b = PodResidentMemory.capture(CHILDREN.get(1).pid());
    }

    @AfterAll
    static void stopChildren() throws InterruptedException {
        for (Process p : CHILDREN) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void eachProcessMapsAllOfTheFilesPages() {
        assertThat(a.fileFramesByPath().get(file.toString())).hasSize(FILE_PAGES);
        assertThat(b.fileFramesByPath().get(file.toString())).hasSize(FILE_PAGES);
    }

    @Test
    void aFileTwoProcessesMapCountsOnce() {
        PodResidentMemory.Union union = PodResidentMemory.union(List.of(a, b));
        long sumOfFiles = a.fileFrames().length + b.fileFrames().length;
        // the test file's 2,048 pages are the same frames in both; the JDK's files too (below)
        assertThat(union.fileFrames()).isLessThanOrEqualTo(sumOfFiles - FILE_PAGES);
        assertThat(union.frames()).isEqualTo(a.frames() + b.frames() - PodResidentMemory.sharedFileFrames(a, b));
        PodResidentMemory.SharedFile shared = PodResidentMemory.sharedFiles(a, b).stream()
                .filter(f -> f.path().equals(file.toString()))
                .findFirst()
                .orElseThrow();
        assertThat(shared.sharedFrames()).isEqualTo(FILE_PAGES);
        // taken at different moments, file pages still count once and anonymous pages are added
        PodResidentMemory.Union apart = PodResidentMemory.unionOfFilePages(List.of(a, b));
        assertThat(apart.fileFrames()).isEqualTo(union.fileFrames());
        assertThat(apart.anonFrames()).isEqualTo((long) a.anonFrames().length + b.anonFrames().length);
    }

    @Test
    void anonymousPagesCountFully() {
        assertThat(a.anonFrames().length).isGreaterThanOrEqualTo(ANON_PAGES);
        assertThat(b.anonFrames().length).isGreaterThanOrEqualTo(ANON_PAGES);
        assertThat(PodResidentMemory.countIntersection(a.anonFrames(), b.anonFrames()))
                .isZero();
        PodResidentMemory.Union union = PodResidentMemory.union(List.of(a, b));
        assertThat(union.anonFrames()).isEqualTo((long) a.anonFrames().length + b.anonFrames().length);
    }

    @Test
    void oneProcessAgreesWithItsVmRss() throws IOException {
        for (PodResidentMemory.Snapshot s : List.of(a, b)) {
            long rssPages = s.status().vmRssKiB() / 4;
            // the JVM's threads keep running while the maps are read: a few hundred KiB either way
            long tolerance = Math.max(256, rssPages / 50);
            assertThat(s.frames())
                    .as("distinct frames vs VmRSS pages, pid %d", s.pid())
                    .isBetween(rssPages - tolerance, rssPages + tolerance);
            assertThat((long) s.anonFrames().length)
                    .as("private anonymous vs RssAnon")
                    .isBetween(
                            s.status().rssAnonKiB() / 4 - tolerance, s.status().rssAnonKiB() / 4 + tolerance);
            assertThat(s.swappedPages()).isZero(); // no swap on the machines this runs on (free shows Swap: 0)
        }
    }

    @Test
    void twoJvmsOfOneJdkShareLibjvmsPages() {
        Map<String, long[]> byPath = a.fileFramesByPath();
        String libjvm = byPath.keySet().stream()
                .filter(p -> p.endsWith("/libjvm.so"))
                .findFirst()
                .orElseThrow();
        PodResidentMemory.SharedFile shared = PodResidentMemory.sharedFiles(a, b).stream()
                .filter(f -> f.path().equals(libjvm))
                .findFirst()
                .orElseThrow();
        // both run the same JVM code: at least 4 MiB of libjvm.so resident, nearly all of it the same frames
        assertThat(shared.framesA()).isGreaterThan(1024);
        assertThat(shared.sharedFrames()).isGreaterThan(Math.min(shared.framesA(), shared.framesB()) * 9 / 10);
    }

    @Test
    void unionCountsEachFrameOnce() {
        long[] x = {1, 5, 9, 12};
        long[] y = {5, 6, 12, 40, 41};
        assertThat(PodResidentMemory.countUnion(List.of(x, y))).isEqualTo(7);
        assertThat(PodResidentMemory.countIntersection(x, y)).isEqualTo(2);
        assertThat(PodResidentMemory.countUnion(List.of(x, x))).isEqualTo(4);
    }
}
