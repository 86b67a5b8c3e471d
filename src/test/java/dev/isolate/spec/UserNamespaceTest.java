package dev.isolate.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isolate.exit.Failure;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UserNamespaceTest {
    /** {@code lines} ranges of one id each, from {@code first} inside and outside. */
    private static List<IdMapping> ranges(long first, int lines) {
        List<IdMapping> map = new ArrayList<>();
        for (int i = 0; i < lines; i++) {
            map.add(new IdMapping(first + i, first + i, 1));
        }
        return map;
    }

    @Test
    void mapsAreCheckedAgainstWhatTheKernelTakesInOneWrite() {
        List<IdMapping> own = List.of(new IdMapping(0, 0, 1));
        new UserNamespace(ranges(1000, UserNamespace.MAX_LINES), own, null, false);
        assertEquals("uid map: more than 340 ranges", assertThrows(Failure.class,
                () -> new UserNamespace(ranges(1000, UserNamespace.MAX_LINES + 1), own, null, false)).getMessage());
        // 340 lines of long ids are more than the kernel reads from one write.
        assertEquals("gid map: 8160 bytes as the kernel reads it, more than the 4095 it takes (use fewer or wider"
                + " ranges)", assertThrows(Failure.class, () -> new UserNamespace(own,
                ranges(4_000_000_000L, UserNamespace.MAX_LINES), null, false)).getMessage());
    }
}
