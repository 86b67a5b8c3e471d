package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.it.Isolate.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** isolate ns and isolate lsns against /proc and util-linux lsns, as root; {@link RootlessNamespacesIT} as nobody. */
class NamespacesIT {
    private static final List<String> TYPES = List.of("user", "mnt", "uts", "ipc", "pid", "net", "cgroup", "time");
    private Process container;

    Isolate isolate() {
        return Isolate.AS_ROOT;
    }

    /** How util-linux lsns runs: as the same user as isolate. */
    List<String> lsns() {
        return List.of("lsns", "--json");
    }

    /** Namespaces the container has that its runner does not. */
    Set<String> containerNamespaces() {
        return Set.of("uts", "net", "pid", "mnt");
    }

    @BeforeEach
    void start() throws IOException, InterruptedException {
        Privileged.requireRoot();
        container = isolate().start("-npu", "box", "sh", "-c", "sleep 300 & sleep 300 & wait");
    }

    @AfterEach
    void stop() {
        if (container != null) {
            container.descendants().forEach(ProcessHandle::destroyForcibly);
            container.destroyForcibly();
        }
    }

    /** The container's first process (sh), once it and both sleeps run. */
    private long containerPid() throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            List<ProcessHandle> sleeps = container.descendants()
                    .filter(p -> p.info().command().orElse("").endsWith("/sleep")).toList();
            if (sleeps.size() == 2) {
                return sleeps.get(0).parent().orElseThrow().pid();
            }
            TimeUnit.MILLISECONDS.sleep(25);
        }
        throw new AssertionError("the container did not start");
    }

    private static long inode(String pid, String type) throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc", pid, "ns", type)).toString();
        return Long.parseLong(link.substring(link.indexOf('[') + 1, link.length() - 1));
    }

    @Test
    void nsShowsTheInodesOfProcAndWhichDifferFromIsolates() throws Exception {
        String pid = Long.toString(containerPid());
        Result r = isolate().run("ns", "--json", pid);
        assertEquals(0, r.exit(), r.err());
        Pattern entry = Pattern.compile("\\{\"pid\": (\\d+), \"type\": \"(\\w+)\", \"ns\": (\\d+), \"differs\": (\\w+)\\}");
        Matcher m = entry.matcher(r.out());
        Set<String> differing = new TreeSet<>();
        List<String> types = new ArrayList<>();
        while (m.find()) {
            assertEquals(pid, m.group(1));
            types.add(m.group(2));
            assertEquals(inode(pid, m.group(2)), Long.parseLong(m.group(3)), m.group(2));
            if (Boolean.parseBoolean(m.group(4))) {
                differing.add(m.group(2));
            }
        }
        assertEquals(TYPES, types);
        assertEquals(new TreeSet<>(containerNamespaces()), differing);

        Result table = isolate().run("ns", pid);
        List<String> lines = table.out().lines().toList();
        assertEquals(List.of("PID", "TYPE", "NS", "DIFFERS"), List.of(lines.get(0).trim().split("\\s+")));
        assertEquals(9, lines.size());
        assertTrue(lines.get(3).trim().matches(pid + " +uts +" + inode(pid, "uts") + " +yes"), lines.get(3));

        assertEquals(r.out(), isolate().run("ns", "-J", pid).out(), "-J is --json, as util-linux spells it");
        assertEquals(r.out(), isolate().run("ns", pid, "--json").out(), "options may follow the PIDs");
    }

    @Test
    void lsnsCountsWhatUtilLinuxLsnsCounts() throws Exception {
        long pid = containerPid();
        Map<Long, String> before = utilLinux();
        Result ours = isolate().run("lsns", "--json");
        Map<Long, String> after = utilLinux();
        assertEquals(0, ours.exit(), ours.err());
        Map<Long, String> listed = parse(ours.out());
        Set<Long> own = new TreeSet<>();
        for (String type : TYPES) {
            own.add(inode("self", type)); // hold the lsns processes themselves: their counts differ
        }
        int compared = 0;
        for (Map.Entry<Long, String> ns : before.entrySet()) {
            if (!own.contains(ns.getKey()) && ns.getValue().equals(after.get(ns.getKey()))) {
                assertEquals(ns.getValue(), listed.get(ns.getKey()), "namespace " + ns.getKey());
                compared++;
            }
        }
        for (String type : containerNamespaces()) {
            long inode = inode(Long.toString(pid), type);
            assertTrue(listed.get(inode).contains("\"nprocs\": 3"), "sh and two sleeps: " + listed.get(inode));
        }
        assertTrue(compared >= containerNamespaces().size(), "compared " + compared);
        for (Long inode : listed.keySet()) {
            assertTrue(own.contains(inode) || before.containsKey(inode) || after.containsKey(inode),
                    "util-linux lsns knows namespace " + inode);
        }

        Result shortForm = isolate().run("lsns", "-J", "-t", "uts");
        assertEquals(0, shortForm.exit(), shortForm.err());
        assertTrue(parse(shortForm.out()).get(inode(Long.toString(pid), "uts")).contains("\"nprocs\": 3"),
                "-J is --json: " + shortForm.out());

        Result pids = isolate().run("lsns", "-t", "pid", "--json");
        assertFalse(parse(pids.out()).values().stream().anyMatch(v -> !v.contains("\"type\": \"pid\"")));
        Result bad = isolate().run("lsns", "-t", "bogus");
        assertEquals(125, bad.exit());
        assertEquals("isolate: --type \"bogus\": not a namespace type: use mnt, net, ipc, user, pid, uts, cgroup or time\n",
                bad.err());
    }

    @Test
    void unknownProcessesAreOneLineErrors() {
        Result gone = isolate().run("ns", "999999999");
        assertEquals(125, gone.exit());
        assertEquals("isolate: process 999999999: no such process\n", gone.err());
        String unknown = "no-such-container-" + ProcessHandle.current().pid();
        Result name = isolate().run("ns", unknown);
        assertEquals(125, name.exit());
        assertEquals("isolate: no container named \"" + unknown + "\"\n", name.err());
        Result path = isolate().run("ns", "../" + unknown);
        assertEquals(List.of(125, "", "isolate: \"../" + unknown + "\": not a container name (up to 64 letters,"
                + " digits, '_', '.' and '-', starting with a letter or digit)\n"),
                List.of(path.exit(), path.out(), path.err()));
    }

    /** util-linux lsns --json, flattened (it nests by process ancestry), as inode -> our JSON object's text. */
    private Map<Long, String> utilLinux() {
        Result r = Isolate.exec(lsns(), null);
        assertEquals(0, r.exit(), r.err());
        return parse(r.out());
    }

    /** Both lsns JSON forms to one text per namespace: {"ns": N, "type": "T", "nprocs": N, "pid": N, "user": "U", "command": "C"}. */
    private static Map<Long, String> parse(String json) {
        Pattern field = Pattern.compile("\"(ns|type|nprocs|pid|user|command)\": *(\"(?:[^\"\\\\]|\\\\.)*\"|\\d+)");
        Map<Long, String> namespaces = new TreeMap<>();
        Map<String, String> current = new HashMap<>();
        Matcher m = field.matcher(json);
        while (m.find()) {
            current.put(m.group(1), m.group(2));
            if (m.group(1).equals("command")) {
                namespaces.put(Long.parseLong(current.get("ns")), "{\"ns\": " + current.get("ns") + ", \"type\": "
                        + current.get("type") + ", \"nprocs\": " + current.get("nprocs") + ", \"pid\": "
                        + current.get("pid") + ", \"user\": " + current.get("user") + ", \"command\": "
                        + current.get("command") + "}");
                current.clear();
            }
        }
        return namespaces;
    }
}
