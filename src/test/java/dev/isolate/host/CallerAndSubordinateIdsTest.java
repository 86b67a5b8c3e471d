package dev.isolate.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isolate.spec.IdMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CallerAndSubordinateIdsTest {
    @Test
    void callerFromProcStatus() {
        List<String> status = List.of("Name:\tjava", "Uid:\t1000\t1001\t1001\t1001", "Gid:\t50\t51\t51\t51",
                "CapEff:\t0000000000000000");
        assertEquals(new Caller(1001, 51, "bob", false, false), Caller.fromStatus(status, "bob"));
        List<String> root = List.of("Uid:\t0\t0\t0\t0", "Gid:\t0\t0\t0\t0", "CapEff:\t000001ffffffffff");
        assertEquals(new Caller(0, 0, "root", true, true), Caller.fromStatus(root, "root"));
    }

    @Test
    void subordinateRangesByNameOrUid() {
        List<String> lines = List.of("alice:100000:65536", "bob:165536:65536", "1000:300000:10", "broken", "alice:x:1");
        assertEquals(List.of(new IdMapping(0, 100000, 65536), new IdMapping(0, 300000, 10)),
                SubordinateIds.parse(lines, "alice", 1000));
        assertEquals(List.of(), SubordinateIds.parse(lines, "carol", 1002));
    }

    @Test
    void helpersAreLookedUpWhenFirstAskedFor(@TempDir Path bin) throws IOException {
        SubordinateMapping mapping = SubordinateMapping.of(new Caller(1000, 1000, "alice", false, false),
                Map.of("PATH", bin.toString()));
        Path newuidmap = Files.createFile(bin.resolve("newuidmap"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        assertEquals(Optional.of(newuidmap.toString()), mapping.newuidmap(), "installed after the facts were read");
        assertEquals(Optional.empty(), mapping.newgidmap());
        Files.delete(newuidmap);
        assertEquals(Optional.of(newuidmap.toString()), mapping.newuidmap(), "looked up once");
    }
}
