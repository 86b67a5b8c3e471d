package dev.isolate.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isolate.sys.IdleFilePages.Range;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which of a process's mappings a detached supervisor gives back, and which pages of them. */
class IdleFilePagesTest {
    private static final long PRESENT_FILE = 1L << 63 | 1L << 61;
    private static final long PRESENT_WRITTEN = 1L << 63;
    private static final long SWAPPED = 1L << 62;
    private static final long PAGE = IdleFilePages.PAGE;

    @Test
    void onlyTheJdksReadOnlyFilePagesGo() {
        String maps = String.join("\n",
                "10000-16000 r-xp 00000000 fe:00 11 /jdk/lib/server/libjvm.so",
                "16000-18000 rw-p 00006000 fe:00 11 /jdk/lib/server/libjvm.so",
                "20000-24000 r--s 00000000 fe:00 12 /jdk/lib/modules",
                "30000-31000 ---p 00000000 fe:00 13 /jdk/lib/libjava.so",
                "40000-41000 r-xp 00000000 fe:00 14 /usr/lib/x86_64-linux-gnu/libc.so.6",
                "50000-51000 r-xp 00000000 fe:00 15 /jdk-other/lib/libjvm.so",
                "60000-61000 r-xp 00000000 00:01 16 /jdk/lib/gone.so (deleted)",
                "70000-72000 rw-p 00000000 00:00 0 ",
                "80000-82000 r--p 00000000 fe:00 17                         /jdk/lib/a name.so",
                "90000-93000 r--p 00000000 fe:00 18 /jdk/lib/short.so",
                "7ffff000-80000000 r-xp 00000000 00:00 0                  [vdso]",
                "");
        Map<Long, long[]> pagemap = Map.of(
                0x10000L, new long[] {PRESENT_FILE, PRESENT_FILE, PRESENT_WRITTEN, 0, SWAPPED, PRESENT_FILE},
                0x80000L, new long[] {PRESENT_FILE, PRESENT_FILE},
                0x90000L, new long[] {PRESENT_FILE});
        List<Range> released = IdleFilePages.releasable(maps, "/jdk", range -> {
            long[] entries = pagemap.get(range.start());
            if (entries == null) {
                throw new AssertionError("pagemap read for " + Long.toHexString(range.start()));
            }
            return entries;
        });
        assertEquals(List.of(
                new Range(0x10000, 0x10000 + 2 * PAGE), // up to the written copy
                new Range(0x13000, 0x13000 + PAGE), // not resident: nothing written there
                new Range(0x15000, 0x16000),
                new Range(0x20000, 0x24000), // shared: all of it, unread
                new Range(0x80000, 0x82000),
                new Range(0x90000, 0x90000 + PAGE)), // a short read: the rest stays
                released);
    }
}
