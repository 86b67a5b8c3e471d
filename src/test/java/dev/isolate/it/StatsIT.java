package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.it.Isolate.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * isolate stats against the cgroup files themselves, and what ps says of a container the OOM
 * killer ended, on this machine's hierarchies (cgroup v1 here).
 */
class StatsIT {
    private static final Isolate ROOT = Isolate.AS_ROOT;
    private final String prefix = "stats" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000 + "-";
    private final List<String> names = new ArrayList<>();
    private final List<String> nobodysNames = new ArrayList<>();
    private Path runtime;

    @BeforeEach
    void setUp() throws IOException {
        Privileged.requireRoot();
        runtime = Files.createTempDirectory(Path.of("/tmp"), "isolate-runtime");
        TestImages.run(List.of("chown", "65534:65534", runtime.toString()));
    }

    @AfterEach
    void tearDown() {
        names.forEach(name -> ROOT.run("rm", "-f", name));
        nobodysNames.forEach(name -> nobody().run("rm", "-f", name));
        TestImages.delete(runtime);
    }

    private Isolate nobody() {
        return Isolate.asNobody(RootlessCopy.script()).withEnvironment("XDG_RUNTIME_DIR=" + runtime);
    }

    private String name(String suffix) {
        names.add(prefix + suffix);
        return prefix + suffix;
    }

    private static Result ok(Result r) {
        assertEquals(0, r.exit(), r.err());
        return r;
    }

    /** name -> its stats --json fields, in their order: memoryUsage, memoryPeak, memoryLimit, pids, pidsLimit, cpuNanoseconds. */
    private static String[] statsJson(String out, String name) {
        Matcher m = Pattern.compile("\\{\"name\": \"" + Pattern.quote(name) + "\", \"memoryUsage\": (\\d+|null),"
                + " \"memoryPeak\": (\\d+|null), \"memoryLimit\": (\\d+|null), \"pids\": (\\d+|null),"
                + " \"pidsLimit\": (\\d+|null), \"cpuNanoseconds\": (\\d+|null)}").matcher(out);
        assertTrue(m.find(), name + " in " + out);
        return new String[] {m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6)};
    }

    /** The container's cgroup directories, as ps --json lists them. */
    private static List<Path> cgroups(Isolate isolate, String name) {
        Matcher m = Pattern.compile("\"name\": \"" + Pattern.quote(name) + "\"[^}]*\"cgroups\": \\[([^]]*)]")
                .matcher(ok(isolate.run("ps", "-a", "--json")).out());
        assertTrue(m.find(), name + " in ps --json");
        return m.group(1).isEmpty() ? List.of() : Arrays.stream(m.group(1).split(", "))
                .map(quoted -> Path.of(quoted.substring(1, quoted.length() - 1))).toList();
    }

    private static Path holding(List<Path> cgroups, String file) {
        return cgroups.stream().filter(dir -> Files.exists(dir.resolve(file))).findFirst()
                .orElseThrow(() -> new AssertionError("no directory of " + cgroups + " has " + file));
    }

    private static long read(List<Path> cgroups, String file) throws IOException {
        return Long.parseLong(Files.readString(holding(cgroups, file).resolve(file)).strip());
    }

    @Test
    void statsShowsWhatTheContainersCgroupFilesHold() throws IOException {
        String name = name("limited");
        assertEquals(name + "\n", ok(ROOT.run("run", "-d", "--name", name, "--memory", "64m", "--pids-limit", "50",
                "sh", "-c", "sleep 60")).out());
        List<Path> cgroups = cgroups(ROOT, name);
        assertFalse(cgroups.isEmpty(), "the record lists the container's cgroup");
        cgroups.forEach(dir -> assertTrue(Files.isDirectory(dir), dir + " exists while it runs"));

        String[] json = statsJson(ok(ROOT.run("stats", "--json", name)).out(), name);
        long memory = Long.parseLong(json[0]);
        long peak = Long.parseLong(json[1]);
        assertEquals("67108864", json[2]);
        assertEquals(Long.toString(read(cgroups, "memory.limit_in_bytes")), json[2]);
        assertTrue(memory > 0 && memory <= peak && peak <= 67108864, "memory " + memory + ", peak " + peak);
        assertTrue(peak <= read(cgroups, "memory.max_usage_in_bytes"), "the peak never falls");
        long pids = Long.parseLong(json[3]);
        assertTrue(pids >= 1, "pids " + pids);
        assertEquals(read(cgroups, "pids.current"), pids, "a sleeping shell and its sleep fork no more");
        assertEquals("50", json[4]);
        assertEquals(Long.toString(read(cgroups, "pids.max")), json[4]);
        long cpu = Long.parseLong(json[5]);
        assertTrue(cpu > 0 && cpu <= read(cgroups, "cpuacct.usage"), "CPU time " + cpu + " ns");

        assertTrue(ok(ROOT.run("ps", "--json")).out().matches("(?s).*\"name\": \"" + Pattern.quote(name)
                + "\"[^}]*\"usage\": \\{\"memoryUsage\": [0-9]+, \"memoryPeak\": [0-9]+, \"memoryLimit\": 67108864,"
                + " \"pids\": [0-9]+, \"pidsLimit\": 50, \"cpuNanoseconds\": [0-9]+}}.*"), "ps --json has stats' numbers");

        String table = ok(ROOT.run("stats", name)).out();
        List<String> lines = table.lines().toList();
        assertEquals(2, lines.size(), table);
        assertTrue(lines.get(0).matches("NAME +MEM USAGE / LIMIT +MEM % +PEAK +PIDS +CPU TIME"), table);
        assertTrue(lines.get(1).matches(Pattern.quote(name) + " +[0-9.]+[KM]iB / 64MiB +[0-9.]+% +[0-9.]+[KM]iB +"
                + pids + " / 50 +[0-9.]+m?s"), table);
        assertTrue(ok(ROOT.run("stats")).out().lines().anyMatch(line -> line.startsWith(name + " ")),
                "without NAME, every running container");

        ok(ROOT.run("stop", "-t", "1", name));
        Result stopped = ROOT.run("stats", name);
        assertEquals(125, stopped.exit());
        assertEquals("", stopped.out());
        assertEquals("isolate: " + name + ": not running\n", stopped.err());
        assertFalse(ok(ROOT.run("stats")).out().contains(name), "only running containers are listed");
        cgroups.forEach(dir -> assertFalse(Files.exists(dir), dir + " is removed once it ended"));
    }

    @Test
    void aContainerWithoutACgroupShowsDashesAndCannotBeNamed() {
        String name = name("plain");
        ok(ROOT.run("run", "-d", "--name", name, "--cgroup-manager", "disabled", "sleep", "60"));
        assertEquals(List.of(), cgroups(ROOT, name));
        assertTrue(ok(ROOT.run("stats")).out().lines().anyMatch(line -> line.matches(Pattern.quote(name)
                + " +- +- +- +- +-")), "a row of dashes");
        assertEquals(List.of("null", "null", "null", "null", "null", "null"),
                List.of(statsJson(ok(ROOT.run("stats", "--json")).out(), name)));
        Result named = ROOT.run("stats", name);
        assertEquals(125, named.exit());
        assertEquals("", named.out());
        assertEquals("isolate: " + name + ": has no cgroup of its own (it was run without a limit by a user other"
                + " than root, or with --cgroup-manager disabled)\n", named.err());
    }

    @Test
    void anUnknownOrBadNameIsOneLineAndNothingElse() {
        String name = name("never");
        Result unknown = ROOT.run("stats", "--json", name);
        assertEquals(125, unknown.exit());
        assertEquals("", unknown.out());
        assertEquals("isolate: no container named \"" + name + "\"\n", unknown.err());
        Result bad = ROOT.run("stats", "a/b");
        assertEquals(125, bad.exit());
        assertTrue(bad.err().startsWith("isolate: ") && bad.err().lines().count() == 1, bad.err());
    }

    @Test
    void nobodySeesItsOwnContainersWithoutACgroup() {
        String rootsOwn = name("roots");
        ok(ROOT.run("run", "-d", "--name", rootsOwn, "sleep", "60"));
        String name = prefix + "nobodys";
        nobodysNames.add(name);
        ok(nobody().run("run", "-d", "--name", name, "sleep", "60"));
        String table = ok(nobody().run("stats")).out();
        assertTrue(table.lines().anyMatch(line -> line.matches(Pattern.quote(name) + " +- +- +- +- +-")), table);
        assertFalse(table.contains(rootsOwn), "root's containers are not nobody's: " + table);
        Result named = nobody().run("stats", rootsOwn);
        assertEquals(125, named.exit());
        assertEquals("isolate: no container named \"" + rootsOwn + "\"\n", named.err());
    }

    @Test
    void aContainerTheOomKillerEndedSaysSoInPs() {
        String name = name("hog");
        Result r = ROOT.run("run", "--name", name, "--memory", "32m", "sh", "-c",
                "x=$(head -c 100000000 /dev/zero | tr '\\0' a)");
        assertEquals(137, r.exit(), r.err());
        assertTrue(r.err().contains("the kernel's OOM killer"), r.err());
        assertTrue(ok(ROOT.run("ps", "-a")).out().lines().anyMatch(line -> line.startsWith(name + " ")
                && line.contains(" exited (137, out of memory) ")), "ps -a's status column");
        assertTrue(ok(ROOT.run("ps", "-a", "--json")).out().matches("(?s).*\"name\": \"" + Pattern.quote(name)
                + "\"[^}]*\"exitCode\": 137, \"cgroups\": \\[[^]]+], \"outOfMemory\": true, \"usage\": null}.*"));

        String killed = name("killed");
        assertEquals(137, ROOT.run("run", "--name", killed, "--memory", "32m", "sh", "-c", "kill -9 $$").exit());
        assertTrue(ok(ROOT.run("ps", "-a")).out().lines().anyMatch(line -> line.startsWith(killed + " ")
                && line.contains(" exited (137) ")), "a SIGKILL from elsewhere is not the OOM killer's");
    }
}
