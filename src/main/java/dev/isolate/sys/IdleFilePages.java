package dev.isolate.sys;

import dev.isolate.linux.Linux;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Gives back the JDK's file pages that an isolate which only waits from now on still has
 * mapped: a detached container's supervisor waits as long as its container runs, with
 * libjvm's code, the JDK's modules and the rest of its start mapped, which count in its RSS
 * (about 16 MB on JDK 25) though it will not run most of them again.
 *
 * <p>madvise(MADV_DONTNEED) drops a mapping's page-table entries: a file page stays in the
 * page cache and comes back with a minor fault when it is next used. But on a private mapping
 * it also drops the pages the process has written (copy-on-write copies, such as libjvm's
 * relocated read-only data), which would then read back as the file's bytes. So only the
 * JDK's read-only mappings are released, which a JVM never unmaps or makes writable (so no
 * page can become written between the look and the release), and on a private one only the
 * pages that /proc/self/pagemap says are still the file's. MADV_PAGEOUT would need no such
 * care, but it evicts the pages from the page cache too, and the next isolate to start would
 * read them from the disk again.
 */
public final class IdleFilePages {
    static final long PAGE = 4096;
    private static final long PRESENT = 1L << 63;
    private static final long SWAPPED = 1L << 62;
    private static final long FILE_OR_SHARED = 1L << 61;

    private IdleFilePages() {
    }

    /** A range of addresses, [start, end). */
    record Range(long start, long end) {
        long length() {
            return end - start;
        }
    }

    /** @return the bytes of address space released (pages not resident included) */
    public static long releaseTheJdks() throws IOException {
        String maps = ByteStrings.of(SmallFiles.bytes(Path.of("/proc/self/maps")));
        Kernel kernel = Kernel.get();
        long released = 0;
        try (SeekableByteChannel pagemap = Files.newByteChannel(Path.of("/proc/self/pagemap"),
                StandardOpenOption.READ)) {
            for (Range range : releasable(maps, System.getProperty("java.home"), range -> entries(pagemap, range))) {
                if (kernel.call(Syscall.MADVISE, range.start(), range.length(), Linux.MADV_DONTNEED) == 0) {
                    released += range.length();
                }
            }
        }
        return released;
    }

    /**
     * The ranges to release, from /proc/self/maps: the JDK's read-only file mappings, a shared
     * one whole, a private one less its pages that are not the file's (a written copy, or
     * swapped), as {@code pagemap} gives them for a range (one entry per page).
     */
    static List<Range> releasable(String maps, String javaHome, Function<Range, long[]> pagemap) {
        List<Range> ranges = new ArrayList<>();
        for (String line : maps.split("\n")) {
            String[] fields = line.split(" +", 6);
            if (fields.length < 6 || !fields[5].startsWith(javaHome + "/") || fields[5].endsWith(" (deleted)")) {
                continue;
            }
            String permissions = fields[1];
            if (permissions.charAt(0) != 'r' || permissions.charAt(1) == 'w') {
                continue;
            }
            int dash = fields[0].indexOf('-');
            Range mapping = new Range(Long.parseUnsignedLong(fields[0], 0, dash, 16),
                    Long.parseUnsignedLong(fields[0], dash + 1, fields[0].length(), 16));
            if (permissions.charAt(3) == 's') {
                ranges.add(mapping);
                continue;
            }
            long[] entries = pagemap.apply(mapping);
            long runStart = -1;
            for (int i = 0; i <= entries.length; i++) {
                boolean theFiles = i < entries.length && (entries[i] & SWAPPED) == 0
                        && ((entries[i] & PRESENT) == 0 || (entries[i] & FILE_OR_SHARED) != 0);
                long address = mapping.start() + i * PAGE;
                if (theFiles && runStart < 0) {
                    runStart = address;
                } else if (!theFiles && runStart >= 0) {
                    ranges.add(new Range(runStart, address));
                    runStart = -1;
                }
            }
        }
        return ranges;
    }

    /** The pagemap entries of a range's pages (its flags: an unprivileged reader gets no frame numbers). */
    private static long[] entries(SeekableByteChannel pagemap, Range range) {
        int pages = (int) (range.length() / PAGE);
        ByteBuffer buffer = ByteBuffer.allocate(pages * Long.BYTES).order(ByteOrder.nativeOrder());
        try {
            pagemap.position(range.start() / PAGE * Long.BYTES);
            while (buffer.hasRemaining() && pagemap.read(buffer) > 0) {
                // a read of /proc/self/pagemap may stop short of the range
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long[] entries = new long[buffer.position() / Long.BYTES];
        buffer.flip().asLongBuffer().get(entries);
        return entries;
    }
}
