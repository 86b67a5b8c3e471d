package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.it.Isolate.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** User namespaces and id mappings, as the unprivileged user nobody (uid and gid 65534). */
class RootlessIT {
    private final Isolate nobody = Isolate.asNobody(RootlessCopy.script());

    @BeforeEach
    void root() {
        Privileged.requireRoot(); // to become nobody, and to give nobody subordinate ids
    }

    private static List<String> lines(String text) {
        return text.lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList();
    }

    @Test
    void theSeedCommandWorksWithoutPrivilege() {
        Result r = nobody.run("-npu", "myhost", "sh", "-c", "id -u; hostname; ps -ef");
        assertEquals(0, r.exit(), r.err());
        List<String> out = r.out().lines().toList();
        assertEquals(List.of("0", "myhost"), out.subList(0, 2));
        assertTrue(out.get(2).startsWith("UID"), "ps -ef header: " + out);
        List<String> processes = out.subList(3, out.size());
        assertEquals(2, processes.size(), "a two-line process list: " + out);
        assertTrue(processes.get(0).matches("root +1 +0 .* sh -c id -u; hostname; ps -ef"), processes.get(0));
        assertTrue(processes.get(1).endsWith(" ps -ef"), processes.get(1));
        assertEquals("", r.err());
    }

    @Test
    void rootInsideIsTheCallerOutside() {
        Result r = nobody.run("-U", "sh", "-c", "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map"
                + " /proc/self/setgroups; stat -c %u /etc/shadow");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("0", "0", "0 65534 1", "0 65534 1", "deny", "65534"), lines(r.out()),
                "unmapped owners show as 65534");
    }

    @Test
    void mapUserAndMapGroupPickTheIdsInside() {
        Result r = nobody.run("--map-user", "1234", "--map-group", "55", "sh", "-c",
                "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("1234", "55", "1234 65534 1", "55 65534 1"), lines(r.out()));
    }

    @Test
    void nestingThreeDeep() {
        Path script = RootlessCopy.script();
        Result r = nobody.run("-U", script.toString(), "-U", script.toString(), "-U", "sh", "-c",
                "cat /proc/self/uid_map; id -u; readlink /proc/self/ns/user");
        assertEquals(0, r.exit(), r.err());
        List<String> out = lines(r.out());
        assertEquals(List.of("0 0 1", "0"), out.subList(0, 2));
        Result outer = nobody.run("-U", "readlink", "/proc/self/ns/user");
        assertTrue(!out.get(2).equals(outer.out().strip()));
    }

    @Test
    void aMappingTheKernelRefusesIsOneLineAndLeavesNothingRunning() {
        // the inner isolate is root in its user namespace, where only uid 0 exists
        Result r = nobody.run("-U", RootlessCopy.script().toString(), "--map-users", "0:5000:10", "true");
        assertEquals(125, r.exit());
        assertEquals("isolate: uid_map: Operation not permitted (the kernel refused the mapping: every outside id"
                + " must exist in isolate's own user namespace)\n", r.err());
        assertEquals(0, ProcessHandle.current().descendants().count(), "nothing left running");
    }

    @Test
    void tooDeepANestingIsExplained() {
        // user namespaces nest 33 deep below the initial one: 33 levels of unshare, then isolate
        List<String> command = new ArrayList<>(Isolate.AS_NOBODY);
        for (int i = 0; i < 33; i++) {
            command.addAll(List.of("unshare", "-r"));
        }
        command.addAll(List.of(RootlessCopy.script().toString(), "-U", "true"));
        Result r = Isolate.exec(command, null);
        assertEquals(125, r.exit(), r.err());
        assertTrue(r.err().startsWith("isolate: clone: No space left on device (too many user namespaces"), r.err());
        assertEquals(1, r.err().lines().count());
    }

    @Test
    void noUserAutoTurnsTheAutomaticUserNamespaceOff() {
        Result r = nobody.run("--no-user-auto", "-n", "true");
        assertEquals(125, r.exit());
        assertEquals("isolate: clone: Operation not permitted (creating namespaces needs privilege: run isolate as"
                + " root, or use a user namespace (-U) and drop --no-user-auto)\n", r.err());
    }

    @Test
    void verboseSaysWhenAUserNamespaceIsAdded() {
        Result r = nobody.run("-v", "-n", "true");
        assertEquals(0, r.exit());
        assertTrue(r.err().contains("adding a user namespace where root is uid 65534"), r.err());
    }

    @Test
    void mapAutoAndRangesThroughNewuidmap() throws IOException {
        withSubordinateIds(() -> {
            Result auto = nobody.run("--map-auto", "sh", "-c",
                    "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -u");
            assertEquals(0, auto.exit(), auto.err());
            assertEquals(List.of("0 65534 1", "1 200000 65536", "0 65534 1", "1 300000 65536", "allow", "0"),
                    lines(auto.out()));
            Result ranges = nobody.run("-r", "--map-users", "1000:200000:10", "--map-groups", "1000:300000:10",
                    "sh", "-c", "cat /proc/self/uid_map; chown 1005:1005 /proc/self/fd/0 2>/dev/null; echo ok");
            assertEquals(0, ranges.exit(), ranges.err());
            assertEquals(List.of("0 65534 1", "1000 200000 10", "ok"), lines(ranges.out()));
            Result notOwned = nobody.run("--map-users", "0:100:10", "true");
            assertEquals(125, notOwned.exit());
            assertEquals("isolate: uid range 0:100:10: outside ids 100-109 are not nobody's own nor in its"
                    + " /etc/subuid ranges\n", notOwned.err());
        });
    }

    @Test
    void missingHelpersNameTheirPackage() throws IOException {
        Path bin = Files.createTempDirectory("isolate-path");
        try {
            for (String tool : List.of("bash", "dirname", "readlink", "sed")) {
                Files.createSymbolicLink(bin.resolve(tool), Path.of("/usr/bin", tool));
            }
            Path javaCommand = Path.of(ProcessHandle.current().info().command().orElseThrow());
            Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
            List<String> command = new ArrayList<>(List.of("env", "PATH=" + bin, "JAVA=" + javaCommand));
            // setpriv by absolute path: the PATH above has only what scripts/isolate needs
            command.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
            command.addAll(List.of(RootlessCopy.script().toString(), "--map-users", "0:200000:10", "true"));
            withSubordinateIds(() -> {
                Result r = Isolate.exec(command, null);
                assertEquals(125, r.exit(), r.err());
                assertTrue(r.err().contains("install the uidmap package"), r.err());
            });
        } finally {
            try (Stream<Path> all = Files.walk(bin)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void badMappingsAreOneLineAndStatus125() {
        for (List<String> args : List.of(
                List.of("--map-users", "0:1:2:3", "true"),
                List.of("--map-users", "x:1:2", "true"),
                List.of("--map-users", "0:200000:0", "true"),
                List.of("-r", "--map-users", "0:200000:10", "true"),
                List.of("--setgroups", "maybe", "true"),
                List.of("--setgroups", "allow", "-U", "true"))) {
            Result r = nobody.run(args.toArray(String[]::new));
            assertEquals(125, r.exit(), args + ": " + r.err());
            assertTrue(r.err().startsWith("isolate: "), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
        }
    }

    interface Body {
        void run() throws IOException;
    }

    /** Gives nobody subordinate ids for the duration of {@code body}, then restores the files. */
    private static synchronized void withSubordinateIds(Body body) throws IOException {
        Path subuid = Path.of("/etc/subuid");
        Path subgid = Path.of("/etc/subgid");
        String uids = Files.exists(subuid) ? Files.readString(subuid) : null;
        String gids = Files.exists(subgid) ? Files.readString(subgid) : null;
        try {
            Files.writeString(subuid, (uids == null ? "" : uids) + "nobody:200000:65536\n");
            Files.writeString(subgid, (gids == null ? "" : gids) + "nobody:300000:65536\n");
            body.run();
        } finally {
            restore(subuid, uids);
            restore(subgid, gids);
        }
    }

    private static void restore(Path file, String content) throws IOException {
        if (content == null) {
            Files.deleteIfExists(file);
        } else {
            Files.writeString(file, content);
        }
    }
}
