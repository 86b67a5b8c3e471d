package dev.isolate.bundle;

import static dev.isolate.linux.Linux.MOUNT_ATTR_NODEV;
import static dev.isolate.linux.Linux.MOUNT_ATTR_NOEXEC;
import static dev.isolate.linux.Linux.MOUNT_ATTR_NOSUID;
import static dev.isolate.linux.Linux.MOUNT_ATTR_RDONLY;
import static dev.isolate.linux.Linux.MOUNT_ATTR_STRICTATIME;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.isolate.spec.Capability;
import dev.isolate.spec.CapabilitySets;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Mount;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.NetworkMode;
import dev.isolate.spec.Propagation;
import dev.isolate.spec.Resources;
import dev.isolate.spec.RootFilesystem;
import dev.isolate.spec.SeccompProfile;
import dev.isolate.spec.Tunables.Rlimit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config.json podman 4.3 wrote for {@code podman run --memory 32m IMAGE sh -c 'echo hi'}
 * (with its storage paths made neutral): accepted in full, and every field where isolate
 * puts it.
 */
class PodmanConfigTest {
    private static final String ID = "8c216939469c84f8fa4910f2a2cbc703217369107f2d7b06b431345a70ac3aae";
    private static final String STORAGE = "/var/lib/containers/storage/";
    private static final String RUN = "/run/containers/storage/overlay-containers/" + ID + "/userdata/";

    @TempDir
    static Path bundle;
    static BundleConfig config;
    static ContainerSpec spec;

    @BeforeAll
    static void read() {
        config = BundleConfig.read(Bundles.write(bundle, Bundles.resource("podman-4.3.json")));
        spec = config.spec(ID, OptionalInt.of(0), true);
    }

    @Test
    void theConfigAsRead() {
        assertEquals("1.0.2-dev", config.ociVersion());
        assertEquals(bundle.toAbsolutePath(), config.bundle());
        assertEquals(Optional.of("8c216939469c"), config.hostname());
        assertEquals("libpod", config.annotations().get("io.container.manager"));
        assertEquals(8, config.annotations().size());
        assertEquals(Hooks.NONE, config.hooks());
        assertFalse(config.process().terminal());
        assertEquals(Optional.empty(), config.process().consoleSize());
    }

    @Test
    void namespacesAndNetwork() {
        assertEquals(EnumSet.of(Namespace.PID, Namespace.NET, Namespace.IPC, Namespace.UTS, Namespace.MOUNT),
                spec.namespaces());
        assertEquals(new NetworkMode.Isolated(), spec.network().mode(), "a new network namespace with lo alone");
        assertEquals(Optional.empty(), spec.user());
        assertEquals(Optional.of("8c216939469c"), spec.hostname());
        assertEquals(Propagation.PRIVATE, spec.propagation());
    }

    @Test
    void theProcess() {
        assertEquals(List.of("sh", "-c", "echo hi"), spec.command());
        assertEquals(List.of("PATH", "TERM", "container", "HOME", "HOSTNAME"), List.copyOf(spec.environment().keySet()));
        assertEquals("podman", spec.environment().get("container"));
        assertEquals(Optional.of("/"), spec.workdir());
        assertEquals(Optional.of("0"), spec.runAs().user());
        assertEquals(Optional.of("0"), spec.runAs().group());
        assertEquals(List.of(), spec.runAs().extraGroups());
        assertFalse(spec.runAs().setsHome(), "HOME is config.json's");
        assertFalse(spec.terminal());
        assertFalse(spec.init());
        assertEquals(OptionalInt.of(022), spec.tunables().umask());
        assertEquals(List.of(Rlimit.of("RLIMIT_NOFILE", 20000, 20000), Rlimit.of("RLIMIT_NPROC", 32768, 32768)),
                spec.tunables().rlimits());
        assertEquals(OptionalInt.empty(), spec.tunables().oomScoreAdj());
        assertEquals(Optional.empty(), spec.tunables().domainname());
    }

    @Test
    void capabilitiesAndSeccomp() throws IOException {
        EnumSet<Capability> podmans = EnumSet.copyOf(Capability.CONTAINED);
        podmans.add(Capability.MKNOD);
        CapabilitySets sets = spec.containment().capabilities().orElseThrow();
        assertEquals(podmans, sets.bounding());
        assertEquals(podmans, sets.effective());
        assertEquals(podmans, sets.permitted());
        assertEquals(EnumSet.noneOf(Capability.class), sets.inheritable());
        assertEquals(EnumSet.noneOf(Capability.class), sets.ambient());
        assertTrue(sets.forAnyUser());
        assertTrue(spec.containment().added().isEmpty());
        assertFalse(spec.containment().noNewPrivileges());
        assertFalse(spec.containment().maskedPaths(), "the bundle's own lists instead");
        assertFalse(spec.containment().privileged());
        assertEquals(OptionalInt.of(0), spec.containment().preserveFds());
        SeccompProfile.Json seccomp = assertInstanceOf(SeccompProfile.Json.class, spec.containment().seccomp());
        assertEquals("config.json", seccomp.origin());
        Object original = ((Map<?, ?>) Bundles.resource("podman-4.3.json").get("linux")).get("seccomp");
        assertArrayEquals(JSON.std.asBytes(original), seccomp.text(), "the same profile, written back");
    }

    @Test
    void theRootAndItsMounts() {
        RootFilesystem root = spec.rootfs().orElseThrow();
        assertEquals(STORAGE + "overlay/27473368ce7047988b5b82ecc7fe79065ccafa54b5fe41d623e57adc5458136a/merged",
                root.image());
        assertFalse(root.readOnly());
        assertEquals(Optional.empty(), root.overlay());
        long hardened = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODEV;
        assertEquals(List.of(
                new Mount.Filesystem("proc", "/proc", hardened, List.of(), Map.of()),
                new Mount.Filesystem("tmpfs", "/dev", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_STRICTATIME,
                        List.of(), Map.of("mode", "755", "size", "65536k")),
                new Mount.Filesystem("sysfs", "/sys", hardened | MOUNT_ATTR_RDONLY, List.of(), Map.of()),
                new Mount.Filesystem("devpts", "/dev/pts", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, List.of("newinstance"),
                        Map.of("ptmxmode", "0666", "mode", "0620", "gid", "5")),
                new Mount.Filesystem("mqueue", "/dev/mqueue", hardened, List.of(), Map.of()),
                new Mount.Bind(RUN + "hosts", "/etc/hosts", false, 0),
                new Mount.Bind(STORAGE + "overlay-containers/" + ID + "/userdata/shm", "/dev/shm", false, hardened),
                new Mount.Bind(RUN + ".containerenv", "/run/.containerenv", false, 0),
                new Mount.Bind(RUN + "hostname", "/etc/hostname", false, 0),
                new Mount.Cgroups("/sys/fs/cgroup")), root.mounts());
        RootFilesystem.Bundle asked = root.bundle().orElseThrow();
        assertEquals(List.of("/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/fs/selinux",
                "/sys/dev/block"), asked.maskedPaths());
        assertEquals(List.of("/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"),
                asked.readOnlyPaths());
        assertEquals(List.of(), asked.devices());
        assertEquals(Map.of(), asked.sysctls());
    }

    @Test
    void theCgroupAndItsLimits() {
        Resources resources = spec.resources();
        assertEquals(OptionalLong.of(32L << 20), resources.memory());
        assertEquals(OptionalLong.of(64L << 20), resources.memorySwap());
        assertEquals(OptionalLong.of(2048), resources.pids());
        assertEquals(Optional.empty(), resources.cpus());
        assertEquals(Optional.of("libpod_parent"), resources.parent());
        assertEquals(Optional.of("libpod-" + ID), resources.name());
        assertEquals(new Resources.DeviceRule(false, 'a', -1, -1, "rwm"), resources.devices().get(0));
        assertEquals(BundleSpec.DEFAULT_DEVICES, resources.devices().subList(1, resources.devices().size()),
                "podman's deny-all, then runc's default devices");
        assertEquals(Resources.Manager.CGROUPFS, resources.manager());
    }
}
