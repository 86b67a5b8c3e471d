package dev.isolate.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.host.cgroup.CgroupUsage;
import dev.isolate.spec.Namespace;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.ProcessIdentity;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ReportsTest {
    private static Map<Namespace, Long> ids(long uts) {
        Map<Namespace, Long> ids = new EnumMap<>(Namespace.class);
        ids.put(Namespace.UTS, uts);
        ids.put(Namespace.NET, 4026531833L);
        return ids;
    }

    @Test
    void nsMarksWhatDiffersFromIsolatesOwn() {
        List<Reports.ProcessNamespaces> one = List.of(new Reports.ProcessNamespaces("42", ids(4026532178L),
                ids(4026531838L)));
        assertEquals("""
                PID TYPE         NS DIFFERS
                 42 uts  4026532178 yes
                 42 net  4026531833 no
                """, Reports.nsTable(one));
        assertEquals("""
                {"namespaces": [{"pid": 42, "type": "uts", "ns": 4026532178, "differs": true},
                   {"pid": 42, "type": "net", "ns": 4026531833, "differs": false}]}
                """, Reports.nsJson(one));
    }

    @Test
    void lsnsHasUtilLinuxsColumnsAndEscapesStrings() {
        List<SystemNamespaces.Entry> entries = List.of(
                new SystemNamespaces.Entry(4026531833L, Namespace.NET, 66, 2, "root", "kthreadd"),
                new SystemNamespaces.Entry(4026532180L, Namespace.NET, 1, 27327, "nobody", "sh -c \"echo\\t\"\n"));
        assertEquals("""
                        NS TYPE NPROCS   PID USER   COMMAND
                4026531833 net      66     2 root   kthreadd
                4026532180 net       1 27327 nobody sh -c "echo\\t"\\x0a
                """, Reports.lsnsTable(entries));
        assertEquals("{\"namespaces\": [{\"ns\": 4026531833, \"type\": \"net\", \"nprocs\": 66, \"pid\": 2,"
                + " \"user\": \"root\", \"command\": \"kthreadd\"},\n   {\"ns\": 4026532180, \"type\": \"net\","
                + " \"nprocs\": 1, \"pid\": 27327, \"user\": \"nobody\", \"command\": \"sh -c \\\"echo\\\\t\\\"\\n\"}]}\n",
                Reports.lsnsJson(entries));
    }

    private static ContainerRecord exited(String name, int status, List<String> cgroups, boolean outOfMemory) {
        return new ContainerRecord(name, Optional.of(new ProcessIdentity(4242, 7)), new ProcessIdentity(4241, 6),
                List.of("pid"), List.of("sh", "-c", "x=$(head -c 100000000 /dev/zero)"),
                Instant.parse("2026-12-01T19:20:33.131Z"), Optional.of(status), Optional.empty(), cgroups,
                outOfMemory);
    }

    @Test
    void psSaysWhenTheOomKillerEndedAContainer() {
        List<String> cgroups = List.of("/sys/fs/cgroup/memory/isolate/isolate-4241-6",
                "/sys/fs/cgroup/pids/isolate/isolate-4241-6");
        List<ContainerRecord> containers = List.of(exited("hog", 137, cgroups, true),
                exited("killed", 137, List.of(), false));
        assertEquals("""
                NAME    PID NAMESPACES STARTED              STATUS                      COMMAND
                hog    4242 pid        2026-12-01T19:20:33Z exited (137, out of memory) sh -c x=$(head -c 100000000 /dev/zero)
                killed 4242 pid        2026-12-01T19:20:33Z exited (137)                sh -c x=$(head -c 100000000 /dev/zero)
                """, Reports.psTable(containers));
        assertEquals("{\"containers\": [{\"name\": \"hog\", \"pid\": 4242, \"namespaces\": [\"pid\"], \"command\":"
                + " [\"sh\", \"-c\", \"x=$(head -c 100000000 /dev/zero)\"], \"started\": \"2026-12-01T19:20:33Z\","
                + " \"status\": \"exited\", \"exitCode\": 137, \"cgroups\": [\"/sys/fs/cgroup/memory/isolate/"
                + "isolate-4241-6\", \"/sys/fs/cgroup/pids/isolate/isolate-4241-6\"], \"outOfMemory\": true,"
                + " \"usage\": null},\n"
                + "   {\"name\": \"killed\", \"pid\": 4242, \"namespaces\": [\"pid\"], \"command\": [\"sh\", \"-c\","
                + " \"x=$(head -c 100000000 /dev/zero)\"], \"started\": \"2026-12-01T19:20:33Z\", \"status\":"
                + " \"exited\", \"exitCode\": 137, \"cgroups\": [], \"outOfMemory\": false, \"usage\": null}]}\n",
                Reports.psJson(containers, Map.of()));
        CgroupUsage usage = new CgroupUsage(OptionalLong.of(1 << 20), OptionalLong.empty(), OptionalLong.of(32 << 20),
                OptionalLong.of(2), OptionalLong.empty(), OptionalLong.of(5_000_000));
        assertTrue(Reports.psJson(containers.subList(0, 1), Map.of("hog", usage)).endsWith(", \"outOfMemory\": true,"
                + " \"usage\": {\"memoryUsage\": 1048576, \"memoryPeak\": null, \"memoryLimit\": 33554432, \"pids\": 2,"
                + " \"pidsLimit\": null, \"cpuNanoseconds\": 5000000}}]}\n"), "the numbers stats --json gives");
    }

    @Test
    void statsShowsDockersColumnsWithDashesWhereThereIsNothingToShow() {
        List<Reports.ContainerUsage> rows = List.of(
                new Reports.ContainerUsage("web", Optional.of(new CgroupUsage(OptionalLong.of(1597440),
                        OptionalLong.of(2101248), OptionalLong.of(67108864), OptionalLong.of(2), OptionalLong.of(50),
                        OptionalLong.of(1_204_400_000L)))),
                new Reports.ContainerUsage("db", Optional.of(new CgroupUsage(OptionalLong.of(8_053_063_680L),
                        OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(31), OptionalLong.empty(),
                        OptionalLong.of(3_723_500_000_000L)))),
                new Reports.ContainerUsage("plain", Optional.empty()));
        assertEquals("""
                NAME  MEM USAGE / LIMIT  MEM % PEAK     PIDS           CPU TIME
                web   1.523MiB / 64MiB   2.38% 2.004MiB 2 / 50         1.204s
                db    7.5GiB / unlimited -     -        31 / unlimited 1h2m3.5s
                plain -                  -     -        -              -
                """, Reports.statsTable(rows));
        assertEquals("""
                [{"name": "web", "memoryUsage": 1597440, "memoryPeak": 2101248, "memoryLimit": 67108864, "pids": 2, \
                "pidsLimit": 50, "cpuNanoseconds": 1204400000},
                 {"name": "db", "memoryUsage": 8053063680, "memoryPeak": null, "memoryLimit": null, "pids": 31, \
                "pidsLimit": null, "cpuNanoseconds": 3723500000000},
                 {"name": "plain", "memoryUsage": null, "memoryPeak": null, "memoryLimit": null, "pids": null, \
                "pidsLimit": null, "cpuNanoseconds": null}]
                """, Reports.statsJson(rows));
        assertEquals("[]\n", Reports.statsJson(List.of()));
        assertEquals("NAME MEM USAGE / LIMIT MEM % PEAK PIDS CPU TIME\n", Reports.statsTable(List.of()));
    }

    @Test
    void sizesAreDockersBinaryUnits() {
        assertEquals("0B", Reports.bytes(0));
        assertEquals("1023B", Reports.bytes(1023));
        assertEquals("1KiB", Reports.bytes(1024));
        assertEquals("1.5KiB", Reports.bytes(1536));
        assertEquals("1024KiB", Reports.bytes(1048575), "four significant digits, as go-units' %.4g");
        assertEquals("64MiB", Reports.bytes(67108864));
        assertEquals("7.633GiB", Reports.bytes(8_196_000_000L));
        assertEquals("1.062KiB", Reports.bytes(1088), "1.0625 exactly: half to even, as Go rounds");
        assertEquals("1.064KiB", Reports.bytes(1090));
        assertEquals("1000KiB", Reports.bytes(1_023_999), "999.999 in four digits");
        assertEquals("8EiB", Reports.bytes(Long.MAX_VALUE));
    }

    @Test
    void decimalsAreWrittenOutFromTheirScaledValue() {
        assertEquals("2.38", Reports.decimal(238, 2));
        assertEquals("0.05", Reports.decimal(5, 2));
        assertEquals("0.000", Reports.decimal(0, 3));
        assertEquals("12", Reports.decimal(12, 0));
    }

    @Test
    void cpuTimeIsWrittenAsGoWritesADuration() {
        assertEquals("0s", Reports.duration(0));
        assertEquals("0s", Reports.duration(499_999));
        assertEquals("1ms", Reports.duration(500_000));
        assertEquals("999ms", Reports.duration(999_000_000));
        assertEquals("1s", Reports.duration(1_000_000_000));
        assertEquals("59.999s", Reports.duration(59_999_000_000L));
        assertEquals("1m0s", Reports.duration(60_000_000_000L));
        assertEquals("2m3.05s", Reports.duration(123_050_000_000L));
        assertEquals("1h0m0s", Reports.duration(3_600_000_000_000L));
    }
}
