package io.k8s4claw.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a set of processes (a pod's containers) holds in RAM, each physical page frame counted once.
 *
 * <p>VmRSS counts every page a process maps, so the sum of two processes' VmRSS counts twice the file pages both map
 * — the JDK's {@code libjvm.so}, {@code lib/modules}, the CDS archive, libc — when they are the same file. In a pod
 * whose containers' images share the JRE layer, containerd's overlay snapshotter gives both containers the same
 * inodes, the kernel keeps one copy of each page in the page cache, and the cgroup is charged for it once. This
 * class reads {@code /proc/<pid>/maps} and {@code /proc/<pid>/pagemap} (present bit 63, the page frame number in
 * bits 0–54 — visible to root only —, swapped bit 62, "file page or shared anonymous" bit 61) and counts distinct
 * frames: the union over the processes.
 *
 * <p>A page with bit 61 clear is private anonymous memory (heap, metaspace, thread stacks, malloc, copied-on-write
 * pages of a private file mapping); with bit 61 set it is a page-cache page of the mapped file (or shared anonymous
 * memory). The kernel's shared zero page (anonymous memory read before it was written) is left out, as VmRSS leaves it
 * out ({@code /proc/kpageflags} bit 24). Swapped-out pages are counted separately ({@link Snapshot#swappedPages()});
 * they hold no RAM.
 */
final class PodResidentMemory {

    static final int PAGE_SIZE = 4096;

    private static final long PRESENT = 1L << 63;
    private static final long SWAPPED = 1L << 62;
    private static final long FILE_OR_SHARED_ANON = 1L << 61;
    private static final long PFN_MASK = (1L << 55) - 1;
    private static final long KPF_ZERO_PAGE = 1L << 24;
    /** Pagemap entries read per call (8 bytes each): 2 MiB of address space per 4 KiB read. */
    private static final int CHUNK_PAGES = 512;

    private PodResidentMemory() {}

    /**
     * One process's mapped pages at one moment: distinct frames of private anonymous memory and of file pages (each
     * sorted, no repeats), the file pages by the file's path, VmRSS and its split read just before.
     */
    record Snapshot(
            long pid,
            long[] anonFrames,
            long[] fileFrames,
            Map<String, long[]> fileFramesByPath,
            long swappedPages,
            long zeroPageMappings,
            Status status) {

        /** Distinct frames this process maps. */
        long frames() {
            return countUnion(List.of(anonFrames, fileFrames));
        }

        long kib() {
            return frames() * (PAGE_SIZE / 1024);
        }
    }

    /** VmRSS and its split from {@code /proc/<pid>/status}, in KiB. */
    record Status(long vmRssKiB, long rssAnonKiB, long rssFileKiB, long rssShmemKiB) {}

    /** The union of several snapshots: distinct frames, private anonymous and file. */
    record Union(long anonFrames, long fileFrames, long frames, long swappedPages) {
        double mib() {
            return frames * (double) PAGE_SIZE / (1 << 20);
        }

        double anonMib() {
            return anonFrames * (double) PAGE_SIZE / (1 << 20);
        }

        double fileMib() {
            return fileFrames * (double) PAGE_SIZE / (1 << 20);
        }
    }

    /** Whether this process may see page frame numbers (root, CAP_SYS_ADMIN); without them nothing can be counted. */
    static boolean framesVisible() {
        try {
            Snapshot self = capture(ProcessHandle.current().pid());
            return self.fileFrames.length + self.anonFrames.length > 0;
        } catch (IOException | IllegalStateException e) {
            return false;
        }
    }

    static Status status(long pid) throws IOException {
        long rss = -1;
        long anon = -1;
        long file = -1;
        long shmem = -1;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) rss = kib(line);
            else if (line.startsWith("RssAnon:")) anon = kib(line);
            else if (line.startsWith("RssFile:")) file = kib(line);
            else if (line.startsWith("RssShmem:")) shmem = kib(line);
        }
        return new Status(rss, anon, file, shmem);
    }

    private static long kib(String statusLine) {
        return Long.parseLong(statusLine.replaceAll("[^0-9]", ""));
    }

    /** Reads the process's mapped page frames now (the process keeps running; a capture takes some milliseconds). */
    static Snapshot capture(long pid) throws IOException {
        Status status = status(pid);
        Path proc = Path.of("/proc", Long.toString(pid));
        List<String> maps = Files.readAllLines(proc.resolve("maps"));
        LongList anon = new LongList();
        LongList file = new LongList();
        Map<String, LongList> byPath = new HashMap<>();
        long swapped = 0;
        long presentWithoutFrame = 0;
        ByteBuffer buf = ByteBuffer.allocate(CHUNK_PAGES * 8).order(ByteOrder.nativeOrder());
        try (FileChannel pagemap = FileChannel.open(proc.resolve("pagemap"), StandardOpenOption.READ)) {
            for (String line : maps) {
                Mapping m = Mapping.parse(line);
                if (m.path().equals("[vsyscall]")) continue; // outside the user address space: pagemap has no entries
                String fileKey = m.inode() != 0 ? m.path() : "[shared anonymous]";
                long firstPage = m.start() / PAGE_SIZE;
                long pages = (m.end() - m.start()) / PAGE_SIZE;
                for (long done = 0; done < pages; ) {
                    int n = (int) Math.min(CHUNK_PAGES, pages - done);
                    buf.clear().limit(n * 8);
                    long pos = (firstPage + done) * 8;
                    while (buf.hasRemaining()) {
                        int r = pagemap.read(buf, pos + buf.position());
                        if (r <= 0) break;
                    }
                    buf.flip();
                    while (buf.remaining() >= 8) {
                        long e = buf.getLong();
                        if ((e & PRESENT) != 0) {
                            long pfn = e & PFN_MASK;
                            if (pfn == 0) {
                                presentWithoutFrame++;
                            } else if ((e & FILE_OR_SHARED_ANON) != 0) {
                                file.add(pfn);
                                byPath.computeIfAbsent(fileKey, k -> new LongList())
                                        .add(pfn);
                            } else {
                                anon.add(pfn);
                            }
                        } else if ((e & SWAPPED) != 0) {
                            swapped++;
                        }
                    }
                    done += n;
                }
            }
        } catch (NoSuchFileException gone) {
            throw new IllegalStateException("process " + pid + " has exited");
        }
        if (presentWithoutFrame > 0 && anon.size == 0 && file.size == 0) {
            throw new IllegalStateException(
                    "page frame numbers are hidden in /proc/" + pid + "/pagemap (they need root / CAP_SYS_ADMIN): "
                            + presentWithoutFrame + " present pages, no frames");
        }
        long[] anonFrames = anon.sortedDistinct();
        long zeroMappings = 0;
        long[] zero = zeroPageFrames(anonFrames);
        if (zero.length > 0) {
            long[] kept = new long[anonFrames.length];
            int k = 0;
            for (long pfn : anonFrames) {
                if (Arrays.binarySearch(zero, pfn) < 0) kept[k++] = pfn;
            }
            for (long pfn : anon.array()) {
                if (Arrays.binarySearch(zero, pfn) >= 0) zeroMappings++;
            }
            anonFrames = Arrays.copyOf(kept, k);
        }
        Map<String, long[]> fileByPath = new TreeMap<>();
        byPath.forEach((path, list) -> fileByPath.put(path, list.sortedDistinct()));
        return new Snapshot(pid, anonFrames, file.sortedDistinct(), fileByPath, swapped, zeroMappings, status);
    }

    /** Those of the given frames that are the kernel's zero page, from /proc/kpageflags (none if unreadable). */
    private static long[] zeroPageFrames(long[] sortedFrames) {
        LongList zero = new LongList();
        ByteBuffer one = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        try (FileChannel flags = FileChannel.open(Path.of("/proc/kpageflags"), StandardOpenOption.READ)) {
            for (long pfn : sortedFrames) {
                one.clear();
                if (flags.read(one, pfn * 8) == 8 && (one.getLong(0) & KPF_ZERO_PAGE) != 0) zero.add(pfn);
            }
        } catch (IOException | SecurityException unreadable) {
            return new long[0];
        }
        return zero.sortedDistinct();
    }

    /**
     * Distinct frames over live processes (captured at about the same moment): a frame mapped by two of them counts
     * once.
     */
    static Union union(Collection<Snapshot> snapshots) {
        List<long[]> anon = new ArrayList<>();
        List<long[]> file = new ArrayList<>();
        List<long[]> all = new ArrayList<>();
        long swapped = 0;
        for (Snapshot s : snapshots) {
            anon.add(s.anonFrames);
            file.add(s.fileFrames);
            all.add(s.anonFrames);
            all.add(s.fileFrames);
            swapped += s.swappedPages;
        }
        return new Union(countUnion(anon), countUnion(file), countUnion(all), swapped);
    }

    /**
     * For snapshots taken at different moments (of processes that need not be alive together): private anonymous
     * pages are added per process — a process's anonymous pages are its own, and a frame one process freed may since
     * hold another's, so their frame numbers are not compared — and file pages (page cache, which stays put while
     * memory is not short) are counted once over all.
     */
    static Union unionOfFilePages(Collection<Snapshot> snapshots) {
        long anon = 0;
        long swapped = 0;
        List<long[]> file = new ArrayList<>();
        for (Snapshot s : snapshots) {
            anon += s.anonFrames.length;
            file.add(s.fileFrames);
            swapped += s.swappedPages;
        }
        long files = countUnion(file);
        return new Union(anon, files, anon + files, swapped);
    }

    /** Per file mapped by both: frames of each, and the frames both map (the same physical pages). */
    record SharedFile(String path, long framesA, long framesB, long sharedFrames) {}

    static List<SharedFile> sharedFiles(Snapshot a, Snapshot b) {
        List<SharedFile> out = new ArrayList<>();
        a.fileFramesByPath.forEach((path, fa) -> {
            long[] fb = b.fileFramesByPath.get(path);
            if (fb != null) out.add(new SharedFile(path, fa.length, fb.length, countIntersection(fa, fb)));
        });
        out.sort((x, y) -> Long.compare(y.sharedFrames, x.sharedFrames));
        return out;
    }

    /** Frames of {@code a} that {@code b} also maps, over all files (any path). */
    static long sharedFileFrames(Snapshot a, Snapshot b) {
        return countIntersection(a.fileFrames, b.fileFrames);
    }

    static long countUnion(List<long[]> sortedDistinct) {
        int total = 0;
        for (long[] a : sortedDistinct) total += a.length;
        long[] all = new long[total];
        int k = 0;
        for (long[] a : sortedDistinct) {
            System.arraycopy(a, 0, all, k, a.length);
            k += a.length;
        }
        Arrays.sort(all);
        long distinct = 0;
        for (int i = 0; i < all.length; i++) {
            if (i == 0 || all[i] != all[i - 1]) distinct++;
        }
        return distinct;
    }

    static long countIntersection(long[] a, long[] b) {
        long n = 0;
        int i = 0;
        int j = 0;
        while (i < a.length && j < b.length) {
            if (a[i] < b[j]) i++;
            else if (a[i] > b[j]) j++;
            else {
                n++;
                i++;
                j++;
            }
        }
        return n;
    }

    static double mib(long frames) {
        return frames * (double) PAGE_SIZE / (1 << 20);
    }

    /** One line of /proc/<pid>/maps: the address range, the inode and the path (empty for anonymous memory). */
    record Mapping(long start, long end, long inode, String path) {
        static Mapping parse(String line) {
            String[] f = line.trim().split("\\s+", 6);
            String[] range = f[0].split("-");
            return new Mapping(
                    Long.parseUnsignedLong(range[0], 16),
                    Long.parseUnsignedLong(range[1], 16),
                    Long.parseLong(f[4]),
                    f.length > 5 ? f[5] : "");
        }
    }

    /** A growable long array. */
    private static final class LongList {
        long[] a = new long[1024];
        int size;

        void add(long v) {
            if (size == a.length) a = Arrays.copyOf(a, size * 2);
            a[size++] = v;
        }

        long[] array() {
            return Arrays.copyOf(a, size);
        }

        long[] sortedDistinct() {
            long[] s = Arrays.copyOf(a, size);
            Arrays.sort(s);
            int k = 0;
            for (int i = 0; i < s.length; i++) {
                if (i == 0 || s[i] != s[i - 1]) s[k++] = s[i];
            }
            return Arrays.copyOf(s, k);
        }
    }
}
