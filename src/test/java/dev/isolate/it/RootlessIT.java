package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.api.io.TempDir;

/** User namespaces and id mappings, as the unprivileged user nobody (uid and gid 65534). */
class RootlessIT {
    private final Isolate nobody = Isolate.asNobody(RootlessCopy.script());
    @TempDir
    Path ids;

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
        Isolate nobody = new Isolate(withSubordinateIds(Isolate.AS_NOBODY), RootlessCopy.script());
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
        Path subuid = Path.of("/etc/subuid");
        assertFalse(Files.exists(subuid) && Files.readString(subuid).contains("nobody:200000:65536"),
                "the host's /etc/subuid is never changed");
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
            Result r = Isolate.exec(withSubordinateIds(command), null);
            assertEquals(125, r.exit(), r.err());
            assertTrue(r.err().contains("install the uidmap package"), r.err());
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

    /**
     * The command run in a mount namespace of its own in which nobody has subordinate ids:
     * copies of /etc/subuid and /etc/subgid with a range for nobody are bound over the host's,
     * which stay as they are however the test ends. (A host without the files gets empty ones,
     * which mean to newuidmap what no file does, as mount points.)
     */
    private List<String> withSubordinateIds(List<String> command) throws IOException {
        List<String> binds = new ArrayList<>();
        for (String kind : List.of("uid", "gid")) {
            Path host = Path.of("/etc/sub" + kind);
            if (!Files.exists(host)) {
                Files.createFile(host);
            }
            Path copy = ids.resolve("sub" + kind);
            Files.writeString(copy, Files.readString(host) + "nobody:" + (kind.equals("uid") ? 200000 : 300000)
                    + ":65536\n");
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
            binds.add(copy.toString());
        }
        List<String> wrapped = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--",
                "sh", "-c", "mount --bind \"$1\" /etc/subuid && mount --bind \"$2\" /etc/subgid && shift 2"
                        + " && exec \"$@\"", "sh"));
        wrapped.addAll(binds);
        wrapped.addAll(command);
        return wrapped;
    }
}
