package dev.isolate.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.spec.Capability;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.IdMapping;
import dev.isolate.spec.Mount;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.NetworkMode;
import dev.isolate.spec.RootFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What spec writes, read back as a bundle. */
class DefaultConfigTest {
    @TempDir
    Path bundle;

    private ContainerSpec readBack(boolean rootless) throws IOException {
        Files.writeString(bundle.resolve("config.json"), DefaultConfig.json(rootless));
        return BundleConfig.read(bundle).spec("c1", OptionalInt.empty(), true);
    }

    @Test
    void theDefaultIsIsolatesContainedOne() throws IOException {
        ContainerSpec spec = readBack(false);
        assertEquals(EnumSet.of(Namespace.PID, Namespace.NET, Namespace.IPC, Namespace.UTS, Namespace.MOUNT),
                spec.namespaces());
        assertEquals(new NetworkMode.Isolated(), spec.network().mode());
        assertEquals(List.of("sh"), spec.command());
        assertTrue(spec.terminal());
        assertEquals(Optional.of("isolate"), spec.hostname());
        var sets = spec.containment().capabilities().orElseThrow();
        assertEquals(Capability.CONTAINED, sets.bounding());
        assertEquals(Capability.CONTAINED, sets.effective());
        assertEquals(Capability.CONTAINED, sets.permitted());
        assertTrue(spec.containment().noNewPrivileges());
        RootFilesystem root = spec.rootfs().orElseThrow();
        assertEquals(bundle.toAbsolutePath().resolve("rootfs").toString(), root.image());
        assertTrue(root.readOnly());
        assertEquals(RootFilesystem.MASKED_PATHS, root.bundle().orElseThrow().maskedPaths());
        assertEquals(RootFilesystem.READ_ONLY_PATHS, root.bundle().orElseThrow().readOnlyPaths());
        assertEquals(List.of("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"),
                root.mounts().stream().map(Mount::destination).toList());
        assertEquals(new Mount.Cgroups("/sys/fs/cgroup"), root.mounts().get(6));
        Mount.Filesystem devpts = (Mount.Filesystem) root.mounts().get(2);
        assertEquals("5", devpts.options().get("gid"));
        assertEquals(1 + BundleSpec.DEFAULT_DEVICES.size(), spec.resources().devices().size());
        assertEquals(Optional.empty(), spec.user());
    }

    @Test
    void rootlessMapsTheCaller() throws IOException {
        ContainerSpec spec = readBack(true);
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        long gid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).longValue();
        assertTrue(spec.namespaces().contains(Namespace.USER));
        assertEquals(List.of(new IdMapping(0, uid, 1)), spec.user().orElseThrow().uids());
        assertEquals(List.of(new IdMapping(0, gid, 1)), spec.user().orElseThrow().gids());
        Mount.Filesystem devpts = (Mount.Filesystem) spec.rootfs().orElseThrow().mounts().get(2);
        assertFalse(devpts.options().containsKey("gid"), "gid 5 is not mapped");
        assertEquals(List.of(), spec.resources().devices(), "no cgroup rules without privilege");
        assertEquals(Map.of(), spec.rootfs().orElseThrow().bundle().orElseThrow().sysctls());
    }
}
