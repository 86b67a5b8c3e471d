package dev.isolate.bundle;

import static dev.isolate.bundle.Bundles.minimal;
import static dev.isolate.bundle.Bundles.tree;
import static dev.isolate.bundle.Bundles.with;
import static dev.isolate.linux.Linux.MOUNT_ATTR_NOATIME;
import static dev.isolate.linux.Linux.MOUNT_ATTR_NODEV;
import static dev.isolate.linux.Linux.MOUNT_ATTR_NOSUID;
import static dev.isolate.linux.Linux.MOUNT_ATTR_RDONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import dev.isolate.spec.Capability;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.IdMapping;
import dev.isolate.spec.Mount;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.NetworkMode;
import dev.isolate.spec.Propagation;
import dev.isolate.spec.Resources;
import dev.isolate.spec.RootFilesystem;
import dev.isolate.spec.SeccompProfile;
import dev.isolate.spec.TimeOffsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleConfigTest {
    @TempDir
    Path bundle;

    private BundleConfig read(Map<String, Object> config) {
        return BundleConfig.read(Bundles.write(bundle, config));
    }

    private ContainerSpec spec(Map<String, Object> config) {
        return spec(config, true);
    }

    private ContainerSpec spec(Map<String, Object> config, boolean root) {
        return read(config).spec("c1", OptionalInt.empty(), root);
    }

    /** The one line read (or the spec) fails with. */
    private String refused(Map<String, Object> config) {
        Failure failure = assertThrows(Failure.class, () -> spec(config));
        assertEquals(Failure.Kind.INPUT, failure.kind());
        assertFalse(failure.getMessage().contains("\n"), failure.getMessage());
        return failure.getMessage();
    }

    @Test
    void theLeastABundleNeeds() {
        ContainerSpec spec = spec(minimal());
        assertEquals(EnumSet.of(Namespace.PID, Namespace.MOUNT), spec.namespaces());
        assertEquals(new NetworkMode.Shared(), spec.network().mode(), "no network namespace listed: the host's");
        assertEquals(bundle.resolve("rootfs").toAbsolutePath().toString(), spec.rootfs().orElseThrow().image(),
                "a relative root is the bundle's");
        assertEquals(List.of(), spec.rootfs().orElseThrow().mounts(), "only the bundle's mounts");
        assertEquals(Optional.empty(), spec.containment().capabilities(), "no capabilities object: left as they are");
        assertEquals(new SeccompProfile.Unconfined(), spec.containment().seccomp());
        assertEquals(Optional.of("isolate"), spec.resources().parent());
        assertEquals(Optional.of("c1"), spec.resources().name(), "named after the container without cgroupsPath");
        assertEquals(Map.of("PATH", "/bin"), spec.environment());
    }

    @Test
    void aMissingOrBrokenFileIsOneLine() throws IOException {
        Failure missing = assertThrows(Failure.class, () -> BundleConfig.read(bundle));
        assertEquals(bundle.toAbsolutePath().resolve("config.json") + ": no such file or directory", missing.getMessage());
        Files.writeString(bundle.resolve("config.json"), "{\"ociVersion\": ");
        Failure broken = assertThrows(Failure.class, () -> BundleConfig.read(bundle));
        assertTrue(broken.getMessage().startsWith(bundle.toAbsolutePath().resolve("config.json") + ": not JSON: "),
                broken.getMessage());
        assertFalse(broken.getMessage().contains("\n"));
    }

    @Test
    void unknownFieldsAndWrongTypesAreNamedByTheirPath() {
        assertEquals("config.json: process.user.shell: unknown field",
                refused(with(minimal(), "process.user.shell", "/bin/sh")));
        assertEquals("config.json: linux.namespaces[0].kind: unknown field",
                refused(with(minimal(), "linux.namespaces", List.of(Map.of("type", "pid", "kind", "x")))));
        assertEquals("config.json: process.terminal: expected true or false",
                refused(with(minimal(), "process.terminal", "yes")));
        assertEquals("config.json: process.args[1]: expected a string",
                refused(with(minimal(), "process.args", List.of("sh", 1))));
        assertEquals("config.json: process.oomScoreAdj: 2000: expected a number from -1000 to 1000",
                refused(with(minimal(), "process.oomScoreAdj", 2000)));
        assertEquals("config.json: root.path: missing", refused(with(minimal(), "root", Map.of())));
        assertEquals("config.json: root.path: contains a NUL character", refused(with(minimal(), "root.path", "a\0b")));
        assertEquals("config.json: mounts[0].source: empty", refused(with(minimal(), "mounts",
                List.of(Map.of("destination", "/d", "type", "bind", "source", "")))));
        assertEquals("config.json: ociVersion: \"99999999999.0.0\": expected a version such as 1.2.0",
                refused(with(minimal(), "ociVersion", "99999999999.0.0")));
        assertEquals("config.json: expected an object", assertThrows(Failure.class, () -> BundleConfig.read(
                Bundles.writeText(bundle, "[1]"))).getMessage());
        assertEquals("config.json: process.args: empty: name the command to run",
                refused(with(minimal(), "process.args", List.of())));
        assertEquals("config.json: process.env[0]: \"PATH\": expected NAME=VALUE",
                refused(with(minimal(), "process.env", List.of("PATH"))));
    }

    @Test
    void unsupportedFieldsAreRefusedByName() {
        assertEquals("config.json: linux.intelRdt: isolate does not support it",
                refused(with(minimal(), "linux.intelRdt", Map.of("closID", "a"))));
        assertEquals("config.json: linux.personality: isolate does not support it",
                refused(with(minimal(), "linux.personality", Map.of("domain", "LINUX32"))));
        assertEquals("config.json: linux.mountLabel: isolate applies no SELinux labels",
                refused(with(minimal(), "linux.mountLabel", "system_u:object_r:container_file_t:s0")));
        assertEquals("config.json: process.selinuxLabel: isolate applies no SELinux labels",
                refused(with(minimal(), "process.selinuxLabel", "x")));
        assertEquals("config.json: process.apparmorProfile: isolate applies no AppArmor profiles",
                refused(with(minimal(), "process.apparmorProfile", "docker-default")));
        assertEquals("config.json: process.user.username: a Windows field; give uid and gid",
                refused(with(minimal(), "process.user.username", "root")));
        assertEquals("config.json: windows: isolate runs Linux containers only",
                refused(with(minimal(), "windows", Map.of("layerFolders", List.of("c")))));
        assertEquals("config.json: vm: isolate runs Linux containers only",
                refused(with(minimal(), "vm", Map.of("kernel", Map.of("path", "/k")))));
        assertEquals("config.json: hooks.createContainer: isolate does not run hooks inside the container's"
                + " namespaces yet", refused(with(minimal(), "hooks.createContainer", List.of(Map.of("path", "/h")))));
        assertEquals("config.json: hooks.startContainer: isolate does not run hooks inside the container's"
                + " namespaces yet", refused(with(minimal(), "hooks.startContainer", List.of(Map.of("path", "/h")))));
        for (String resource : List.of("blockIO", "hugepageLimits", "network", "rdma", "unified")) {
            assertEquals("config.json: linux.resources." + resource + ": isolate does not support it",
                    refused(with(minimal(), "linux.resources." + resource, Map.of("x", 1))));
        }
        assertEquals("config.json: linux.resources.memory.reservation: isolate does not support it",
                refused(with(minimal(), "linux.resources.memory.reservation", 1 << 20)));
        assertEquals("config.json: linux.resources.memory.swappiness: isolate does not support it",
                refused(with(minimal(), "linux.resources.memory.swappiness", 60)));
        assertEquals("config.json: linux.resources.cpu.realtimeRuntime: isolate does not support it",
                refused(with(minimal(), "linux.resources.cpu.realtimeRuntime", 950000)));
        assertEquals("config.json: linux.resources.cpu.shares: 1: expected 2 to 262144 (0 for none)",
                refused(with(minimal(), "linux.resources.cpu.shares", 1)));
        assertEquals("config.json: linux.resources.cpu.quota: 500: below the kernel's smallest CFS quota, 1000"
                + " microseconds", refused(with(minimal(), "linux.resources.cpu.quota", 500)));
        assertEquals("config.json: linux.resources.cpu.period: 50000: isolate uses the CFS period of 100000"
                + " microseconds", refused(with(minimal(), "linux.resources.cpu.period", 50000)));
    }

    @Test
    void fieldsThatAskForNothingAreAccepted() {
        Map<String, Object> config = with(minimal(), "process.apparmorProfile", "");
        with(config, "linux.resources.blockIO", Map.of());
        with(config, "linux.resources.memory.swappiness", null);
        with(config, "linux.mountLabel", "");
        with(config, "hooks.createContainer", List.of());
        spec(config);
    }

    @Test
    void onlyTheVersionsOfTheSpecIsolateReads() {
        for (String version : List.of("1.0.0", "1.0.2-dev", "1.1.0-rc.1", "1.2.0", "1.2.1")) {
            assertEquals(version, read(with(minimal(), "ociVersion", version)).ociVersion());
        }
        assertEquals("config.json: ociVersion: \"1.3.0\": isolate reads runtime-spec 1.0.0 to 1.2.x",
                refused(with(minimal(), "ociVersion", "1.3.0")));
        assertEquals("config.json: ociVersion: \"0.6.0\": isolate reads runtime-spec 1.0.0 to 1.2.x",
                refused(with(minimal(), "ociVersion", "0.6.0")));
        assertEquals("config.json: ociVersion: \"one\": expected a version such as 1.2.0",
                refused(with(minimal(), "ociVersion", "one")));
        assertEquals("config.json: ociVersion: missing", refused(with(minimal(), "ociVersion", null)));
    }

    @Test
    void aBundleRunsInNewMountAndPidNamespaces() {
        assertEquals("config.json: linux.namespaces: isolate runs a bundle in new mount and pid namespaces: list both,"
                + " without a path", refused(with(minimal(), "linux.namespaces", List.of(Map.of("type", "mount")))));
        assertEquals("config.json: linux.namespaces[1].path: a pid namespace: isolate joins only a network namespace"
                + " by path", refused(with(minimal(), "linux.namespaces", List.of(Map.of("type", "mount"),
                Map.of("type", "pid", "path", "/proc/1/ns/pid")))));
        assertEquals("config.json: linux.namespaces[2].type: \"pid\" is listed twice", refused(with(minimal(),
                "linux.namespaces", List.of(Map.of("type", "mount"), Map.of("type", "pid"), Map.of("type", "pid")))));
        assertEquals("config.json: linux.namespaces[2].type: \"net\": expected one of pid, network, mount, ipc, uts,"
                + " user, cgroup, time", refused(with(minimal(), "linux.namespaces", List.of(Map.of("type", "mount"),
                Map.of("type", "pid"), Map.of("type", "net")))));
    }

    @Test
    void aNetworkNamespaceIsJoinedByPath() {
        ContainerSpec spec = spec(with(minimal(), "linux.namespaces", List.of(Map.of("type", "mount"),
                Map.of("type", "pid"), Map.of("type", "network", "path", "/run/netns/test"))));
        assertEquals(new NetworkMode.Joined("/run/netns/test", "the network namespace /run/netns/test"),
                spec.network().mode());
        assertFalse(spec.namespaces().contains(Namespace.NET));
    }

    @Test
    void aUserNamespaceWithItsMappings() {
        Map<String, Object> config = with(minimal(), "linux.namespaces", List.of(Map.of("type", "mount"),
                Map.of("type", "pid"), Map.of("type", "user"), Map.of("type", "uts")));
        with(config, "linux.uidMappings", List.of(Map.of("containerID", 0, "hostID", 100000, "size", 65536)));
        with(config, "linux.gidMappings", List.of(Map.of("containerID", 0, "hostID", 100000, "size", 65536)));
        with(config, "hostname", "box");
        with(config, "domainname", "example.org");
        ContainerSpec spec = spec(config);
        assertEquals(List.of(new IdMapping(0, 100000, 65536)), spec.user().orElseThrow().uids());
        assertEquals(List.of(new IdMapping(0, 100000, 65536)), spec.user().orElseThrow().gids());
        assertEquals(Optional.of("box"), spec.hostname());
        assertEquals(Optional.of("example.org"), spec.tunables().domainname());

        assertEquals("config.json: linux.uidMappings: only with a new user namespace (\"user\" in linux.namespaces)",
                refused(with(minimal(), "linux.uidMappings", List.of(Map.of("containerID", 0, "hostID", 1, "size",
                        1)))));
        assertEquals("config.json: linux.uidMappings: missing: a new user namespace needs its id mappings",
                refused(with(minimal(), "linux.namespaces", List.of(Map.of("type", "mount"), Map.of("type", "pid"),
                        Map.of("type", "user")))));
        assertEquals("config.json: hostname: needs a new uts namespace in linux.namespaces",
                refused(with(minimal(), "hostname", "box")));
    }

    @Test
    void aNewUtsNamespaceWithoutAHostnameKeepsTheHostsName() {
        ContainerSpec spec = spec(with(minimal(), "linux.namespaces", List.of(Map.of("type", "mount"),
                Map.of("type", "pid"), Map.of("type", "uts"))));
        assertTrue(spec.namespaces().contains(Namespace.UTS));
        assertEquals(Optional.empty(), spec.hostname(), "no sethostname: the copy of the host's name stays");
    }

    @Test
    void processFields() {
        Map<String, Object> config = minimal();
        with(config, "process", tree("""
                {"terminal": true, "consoleSize": {"height": 24, "width": 80}, "args": ["/bin/sh", "-l"],
                 "cwd": "/home/u", "env": ["A=1", "B=x=y", "A=2"],
                 "user": {"uid": 1000, "gid": 100, "umask": 63, "additionalGids": [5, 20]},
                 "capabilities": {"bounding": ["CAP_NET_ADMIN", "CAP_KILL"], "effective": ["CAP_KILL"],
                                  "inheritable": [], "permitted": ["CAP_KILL"], "ambient": ["CAP_KILL"]},
                 "noNewPrivileges": true, "oomScoreAdj": -500,
                 "rlimits": [{"type": "RLIMIT_CORE", "soft": 0, "hard": 18446744073709551615}]}
                """));
        BundleConfig read = read(config);
        assertEquals(Optional.of(new ProcessConfig.ConsoleSize(24, 80)), read.process().consoleSize());
        ContainerSpec spec = read.spec("c1", OptionalInt.of(2), true);
        assertTrue(spec.terminal());
        assertEquals(List.of("/bin/sh", "-l"), spec.command());
        assertEquals(Optional.of("/home/u"), spec.workdir());
        assertEquals(Map.of("A", "2", "B", "x=y"), spec.environment(), "the last of a name given twice");
        assertEquals(Optional.of("1000"), spec.runAs().user());
        assertEquals(Optional.of("100"), spec.runAs().group());
        assertEquals(List.of("5", "20"), spec.runAs().extraGroups());
        assertEquals(OptionalInt.of(077), spec.tunables().umask());
        assertEquals(OptionalInt.of(-500), spec.tunables().oomScoreAdj());
        assertEquals(-1L, spec.tunables().rlimits().get(0).hard(), "RLIM_INFINITY");
        var sets = spec.containment().capabilities().orElseThrow();
        assertEquals(EnumSet.of(Capability.NET_ADMIN, Capability.KILL), sets.bounding());
        assertEquals(Set.of(Capability.KILL), sets.effective());
        assertEquals(Set.of(Capability.KILL), sets.permitted());
        assertEquals(Set.of(), sets.inheritable());
        assertEquals(Set.of(Capability.KILL), sets.ambient());
        assertTrue(spec.containment().noNewPrivileges());
        assertEquals(OptionalInt.of(2), spec.containment().preserveFds());

        assertEquals("config.json: process.consoleSize: only with \"terminal\": true",
                refused(with(minimal(), "process.consoleSize", Map.of("height", 1, "width", 1))));
        assertEquals("config.json: process.capabilities.effective[0]: \"NET_ADMIN\": not a capability isolate knows"
                + " (see capabilities(7))", refused(with(minimal(), "process.capabilities.effective",
                List.of("NET_ADMIN"))));
        assertEquals("config.json: process.rlimits[1].type: RLIMIT_CORE is given twice", refused(with(minimal(),
                "process.rlimits", List.of(Map.of("type", "RLIMIT_CORE", "soft", 0, "hard", 0),
                        Map.of("type", "RLIMIT_CORE", "soft", 0, "hard", 0)))));
        assertEquals("config.json: process.rlimits[0]: the soft limit 2 is above the hard one, 1", refused(with(
                minimal(), "process.rlimits", List.of(Map.of("type", "RLIMIT_CORE", "soft", 2, "hard", 1)))));
        assertEquals("config.json: process.cwd: \"tmp\": must be an absolute path in the container",
                refused(with(minimal(), "process.cwd", "tmp")));
    }

    @Test
    void mountsAsIsolateMakesThem() {
        Map<String, Object> config = with(minimal(), "mounts", Bundles.json("""
                [{"destination": "/data", "type": "none", "source": "data", "options": ["rbind", "ro", "noatime"]},
                 {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
                  "options": ["nosuid", "nodev", "mode=1777", "size=10m", "nr_inodes=100", "uid=0", "rw"]},
                 {"destination": "/etc/x", "source": "/etc/hostname", "options": ["bind", "ro", "rw", "private"]},
                 {"destination": "/sys/fs/cgroup", "type": "cgroup2", "source": "cgroup", "options": ["ro"]}]
                """));
        List<Mount> mounts = spec(config).rootfs().orElseThrow().mounts();
        assertEquals(List.of(
                new Mount.Bind(bundle.toAbsolutePath().resolve("data").toString(), "/data", true,
                        MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOATIME),
                new Mount.Filesystem("tmpfs", "/tmp", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, List.of(), Map.of("mode", "1777", "size", "10m",
                        "nr_inodes", "100", "uid", "0")),
                new Mount.Bind("/etc/hostname", "/etc/x", false, 0),
                new Mount.Cgroups("/sys/fs/cgroup")), mounts);
    }

    @Test
    void mountOptionsIsolateCannotHonourAreRefused() {
        assertEquals("config.json: mounts[0].options[1]: \"rshared\": isolate keeps every mount of a container"
                + " private", refused(with(minimal(), "mounts", List.of(Map.of("destination", "/d", "type", "bind",
                "source", "/tmp", "options", List.of("rbind", "rshared"))))));
        assertEquals("config.json: mounts[0].options[0]: \"sync\": isolate does not support this mount option",
                refused(with(minimal(), "mounts", List.of(Map.of("destination", "/d", "type", "tmpfs",
                        "options", List.of("sync"))))));
        assertEquals("config.json: mounts[0].options[0]: \"context=x\": isolate does not support the option context",
                refused(with(minimal(), "mounts", List.of(Map.of("destination", "/d", "type", "tmpfs",
                        "options", List.of("context=x"))))));
        assertEquals("config.json: mounts[0].type: \"overlay\": isolate mounts devpts, mqueue, proc, sysfs, tmpfs,"
                + " cgroup and binds", refused(with(minimal(), "mounts", List.of(Map.of("destination", "/d",
                "type", "overlay", "source", "overlay")))));
        assertEquals("config.json: mounts[0].options: isolate shows the container's cgroup read-only only: add \"ro\"",
                refused(with(minimal(), "mounts", List.of(Map.of("destination", "/sys/fs/cgroup", "type", "cgroup",
                        "options", List.of("nosuid"))))));
        assertEquals("config.json: mounts[0].options: a bind mount takes no filesystem options (size)",
                refused(with(minimal(), "mounts", List.of(Map.of("destination", "/d", "type", "bind", "source", "/tmp",
                        "options", List.of("bind", "size=1m"))))));
        assertEquals("config.json: mounts[0].uidMappings: isolate makes no id-mapped mounts",
                refused(with(minimal(), "mounts", List.of(Map.of("destination", "/d", "type", "bind", "source", "/tmp",
                        "uidMappings", List.of(Map.of("containerID", 0, "hostID", 1, "size", 1)))))));
        assertEquals("config.json: mounts[0].destination: \"d\": must be an absolute path in the container",
                refused(with(minimal(), "mounts", List.of(Map.of("destination", "d", "type", "tmpfs")))));
    }

    @Test
    void rootfsPropagation() {
        assertEquals(Propagation.SLAVE, spec(with(minimal(), "linux.rootfsPropagation", "rslave")).propagation());
        assertEquals(Propagation.SHARED, spec(with(minimal(), "linux.rootfsPropagation", "shared")).propagation());
        assertEquals(Propagation.PRIVATE, spec(with(minimal(), "linux.rootfsPropagation", "private")).propagation());
        assertEquals("config.json: linux.rootfsPropagation: \"unbindable\": expected one of private, rprivate,"
                + " rshared, rslave, shared, slave", refused(with(minimal(), "linux.rootfsPropagation", "unbindable")));
    }

    @Test
    void cgroupsPath() {
        assertEquals(Optional.of("a/b"), spec(with(minimal(), "linux.cgroupsPath", "/a/b/c")).resources().parent());
        assertEquals(Optional.of("c"), spec(with(minimal(), "linux.cgroupsPath", "/a/b/c")).resources().name());
        assertEquals("config.json: linux.cgroupsPath: \"system.slice:libpod:abc\": the systemd cgroup driver is not"
                + " supported", refused(with(minimal(), "linux.cgroupsPath", "system.slice:libpod:abc")));
        assertEquals("config.json: linux.cgroupsPath: \"a/b\": isolate takes an absolute path from each hierarchy's"
                + " root", refused(with(minimal(), "linux.cgroupsPath", "a/b")));
        Resources top = spec(with(minimal(), "linux.cgroupsPath", "/c")).resources();
        assertEquals(Optional.empty(), top.parent(), "right below each hierarchy's root");
        assertEquals(Optional.of("c"), top.name());
    }

    @Test
    void resources() {
        Map<String, Object> config = with(minimal(), "linux.resources", tree("""
                {"memory": {"limit": 67108864, "swap": -1},
                 "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0"},
                 "pids": {"limit": -1},
                 "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3,
                              "access": "rw"}]}
                """));
        var resources = spec(config).resources();
        assertEquals(OptionalLong.of(64L << 20), resources.memory());
        assertEquals(OptionalLong.of(-1), resources.memorySwap());
        assertEquals(Optional.of(0.5), resources.cpus());
        assertEquals(OptionalLong.of(512), resources.cpuShares());
        assertEquals(Optional.of("0"), resources.cpusetCpus());
        assertEquals(OptionalLong.empty(), resources.pids(), "-1: no limit");
        assertEquals(List.of("a *:* rwm", "c 1:3 rw", "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm",
                "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:2 rwm", "c 136:* rwm"), resources.devices().stream()
                .map(Resources.DeviceRule::line).toList(), "the bundle's rules, then runc's default devices");
        assertEquals(List.of(false, true, true), resources.devices().stream().limit(3)
                .map(Resources.DeviceRule::allow).toList());
        assertEquals(List.of(), spec(config, false).resources().devices(), "no device rules for another user than root");
        assertEquals(OptionalLong.empty(), spec(with(minimal(), "linux.resources.memory.limit", -1)).resources()
                .memory(), "-1: no limit");
        assertEquals("config.json: linux.resources.memory.limit: 4096 bytes is below the minimum, 6291456",
                refused(with(minimal(), "linux.resources.memory.limit", 4096)));
        assertEquals("config.json: linux.resources.memory.swap: needs a memory limit (it is memory plus swap)",
                refused(with(minimal(), "linux.resources.memory.swap", 1 << 30)));
        assertEquals("config.json: linux.resources.cpu.mems: \"0-63\": isolate does not limit memory nodes (the host"
                + " has " + hostNodes() + ")", refused(with(minimal(), "linux.resources.cpu.mems", "0-63")));
        spec(with(minimal(), "linux.resources.cpu.mems", hostNodes()));
    }

    private static String hostNodes() {
        try {
            return Files.readString(Path.of("/sys/devices/system/node/online")).strip();
        } catch (IOException e) {
            return "0";
        }
    }

    @Test
    void devicesSysctlsAndPaths() {
        Map<String, Object> config = with(minimal(), "linux.namespaces", List.of(Map.of("type", "mount"),
                Map.of("type", "pid"), Map.of("type", "network"), Map.of("type", "ipc")));
        with(config, "linux.devices", List.of(Map.of("path", "/dev/fuse", "type", "c", "major", 10, "minor", 229,
                "fileMode", 0660, "uid", 0, "gid", 0), Map.of("path", "/dev/fifo", "type", "p")));
        with(config, "linux.sysctl", Map.of("net.ipv4.ip_forward", "1", "kernel.shmmax", "100"));
        with(config, "linux.maskedPaths", List.of("/proc/kcore"));
        with(config, "linux.readonlyPaths", List.of("/proc/sys"));
        RootFilesystem.Bundle asked = spec(config).rootfs().orElseThrow().bundle().orElseThrow();
        assertEquals(List.of(new RootFilesystem.Device("/dev/fuse", 'c', 10, 229, 0660, 0, 0),
                new RootFilesystem.Device("/dev/fifo", 'p', 0, 0, 0666, 0, 0)), asked.devices());
        assertEquals(Map.of("net.ipv4.ip_forward", "1", "kernel.shmmax", "100"), asked.sysctls());
        assertEquals(List.of("/proc/kcore"), asked.maskedPaths());
        assertEquals(List.of("/proc/sys"), asked.readOnlyPaths());

        assertEquals("config.json: linux.sysctl.vm.swappiness: not a namespaced sysctl: it would change the host",
                refused(with(minimal(), "linux.sysctl", Map.of("vm.swappiness", "0"))));
        assertEquals("config.json: linux.sysctl.net.ipv4.ip_forward: needs a new net namespace in linux.namespaces",
                refused(with(minimal(), "linux.sysctl", Map.of("net.ipv4.ip_forward", "1"))));
        assertEquals("config.json: linux.sysctl.kernel.hostname: set \"hostname\" instead",
                refused(with(minimal(), "linux.sysctl", Map.of("kernel.hostname", "x"))));
        assertEquals("config.json: linux.devices[0].type: \"x\": expected c, b, u or p",
                refused(with(minimal(), "linux.devices", List.of(Map.of("path", "/dev/x", "type", "x")))));
    }

    @Test
    void timeOffsets() {
        Map<String, Object> config = with(minimal(), "linux.namespaces", List.of(Map.of("type", "mount"),
                Map.of("type", "pid"), Map.of("type", "time")));
        with(config, "linux.timeOffsets", Map.of("monotonic", Map.of("secs", 3600), "boottime", Map.of("secs", -5)));
        assertEquals(new TimeOffsets(3600, -5), spec(config).timeOffsets());
        assertEquals("config.json: linux.timeOffsets.monotonic.nanosecs: isolate sets whole seconds only",
                refused(with(config, "linux.timeOffsets.monotonic.nanosecs", 5)));
        assertEquals("config.json: linux.timeOffsets: only with a new time namespace (\"time\" in linux.namespaces)",
                refused(with(minimal(), "linux.timeOffsets", Map.of())));
    }

    @Test
    void seccompIsCheckedWhereItIs() {
        Map<String, Object> profile = tree("""
                {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
                 "syscalls": [{"names": ["keyctl"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}
                """);
        assertTrue(spec(with(minimal(), "linux.seccomp", profile)).containment().seccomp()
                instanceof SeccompProfile.Json);
        assertEquals("config.json: linux.seccomp.architectures[0]: \"SCMP_ARCH_AARCH64\": isolate's filters are for"
                + " SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32", refused(with(minimal(), "linux.seccomp",
                with(profile, "architectures", List.of("SCMP_ARCH_AARCH64")))));
        assertEquals("config.json: linux.seccomp: syscalls[0].action \"SCMP_ACT_NOTIFY\": isolate runs no"
                + " notification listener for it", refused(with(minimal(), "linux.seccomp", tree("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["keyctl"], "action": "SCMP_ACT_NOTIFY"}]}
                """))));
        assertEquals("config.json: linux.seccomp.filter: unknown field", refused(with(minimal(), "linux.seccomp",
                Map.of("defaultAction", "SCMP_ACT_ALLOW", "filter", 1))));
    }

    @Test
    void hooks() {
        Map<String, Object> config = with(minimal(), "hooks", tree("""
                {"prestart": [{"path": "/bin/p"}],
                 "createRuntime": [{"path": "/bin/c", "args": ["c", "1"], "env": ["A=1"], "timeout": 5},
                                   {"path": "/bin/d"}],
                 "poststart": [{"path": "/bin/s"}], "poststop": [{"path": "/bin/e"}]}
                """));
        Hooks hooks = read(config).hooks();
        assertEquals(List.of(new Hooks.Hook("/bin/p", List.of(), List.of(), OptionalInt.empty())), hooks.prestart());
        assertEquals(List.of(new Hooks.Hook("/bin/c", List.of("c", "1"), List.of("A=1"), OptionalInt.of(5)),
                new Hooks.Hook("/bin/d", List.of(), List.of(), OptionalInt.empty())), hooks.createRuntime());
        assertEquals("/bin/s", hooks.poststart().get(0).path());
        assertEquals("/bin/e", hooks.poststop().get(0).path());
        assertEquals("config.json: hooks.poststop[0].timeout: 0: expected a number from 1 to 2147483647",
                refused(with(minimal(), "hooks.poststop", List.of(Map.of("path", "/bin/e", "timeout", 0)))));
        assertEquals("config.json: hooks.poststop[0].path: \"e\": must be an absolute path",
                refused(with(minimal(), "hooks.poststop", List.of(Map.of("path", "e")))));
    }

    @Test
    void aProcessFileOfItsOwn() throws IOException {
        Path file = bundle.resolve("process.json");
        Files.writeString(file, "{\"args\": [\"ls\"], \"cwd\": \"/tmp\", \"terminal\": true}");
        ProcessConfig process = ProcessConfig.read(file);
        assertEquals(List.of("ls"), process.args());
        assertEquals("/tmp", process.cwd());
        assertTrue(process.terminal());
        Files.writeString(file, "{\"args\": [\"ls\"]}");
        assertEquals(file + ": cwd: missing", assertThrows(Failure.class, () -> ProcessConfig.read(file))
                .getMessage());
    }

    @Test
    void annotations() {
        assertEquals(Map.of("a", "1"), read(with(minimal(), "annotations", Map.of("a", "1"))).annotations());
        assertEquals("config.json: annotations.a: expected a string", refused(with(minimal(), "annotations",
                Map.of("a", 1))));
    }
}
