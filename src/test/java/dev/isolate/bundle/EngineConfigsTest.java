package dev.isolate.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import dev.isolate.spec.Capability;
import dev.isolate.spec.CapabilitySets;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.NetworkMode;
import java.nio.file.Path;
import dev.isolate.spec.Mount;
import java.nio.file.Files;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Other config.json files engines wrote on a Debian 12 machine (storage paths made neutral):
 * podman 4.3's for a few run options, and containerd 1.6's default spec (ctr oci spec), which
 * ctr run completes with the image's command and a cgroupsPath of /default/ID.
 */
class EngineConfigsTest {
    @TempDir
    Path bundle;

    private ContainerSpec spec(Map<String, Object> config) {
        return BundleConfig.read(Bundles.write(bundle, config)).spec("c1", OptionalInt.empty(), true);
    }

    private static CapabilitySets sets(ContainerSpec spec) {
        return spec.containment().capabilities().orElseThrow();
    }

    @Test
    void podmansNetworkIsANamespaceItMadeAndIsolateJoins() {
        ContainerSpec spec = spec(Bundles.resource("podman-4.3-tty.json"));
        NetworkMode.Joined joined = (NetworkMode.Joined) spec.network().mode();
        assertTrue(joined.path().startsWith("/run/netns/netns-"), joined.path());
        assertEquals(EnumSet.of(Namespace.PID, Namespace.IPC, Namespace.UTS, Namespace.MOUNT), spec.namespaces());
    }

    @Test
    void runDashItAsksForATerminal() {
        assertTrue(spec(Bundles.resource("podman-4.3-tty.json")).terminal());
    }

    @Test
    void aUserWithGroupsGetsTheBoundingSetAlone() {
        ContainerSpec spec = spec(Bundles.resource("podman-4.3-user.json"));
        assertEquals(Optional.of("1000"), spec.runAs().user());
        assertEquals(Optional.of("1000"), spec.runAs().group());
        assertEquals(List.of("1000", "20"), spec.runAs().extraGroups());
        assertEquals(14, sets(spec).bounding().size());
        assertTrue(sets(spec).effective().isEmpty());
        assertTrue(sets(spec).permitted().isEmpty());
    }

    @Test
    void capDropAllAndCapAdd() {
        ContainerSpec dropped = spec(Bundles.resource("podman-4.3-cap-drop-all.json"));
        assertTrue(sets(dropped).bounding().isEmpty(), "an empty capabilities object: no capability at all");
        assertTrue(sets(dropped).effective().isEmpty());
        ContainerSpec added = spec(Bundles.resource("podman-4.3-cap-add-net-admin.json"));
        assertTrue(sets(added).effective().contains(Capability.NET_ADMIN));
        assertTrue(sets(added).bounding().contains(Capability.NET_ADMIN));
    }

    @Test
    void readOnlyWithPodmansCopiedUpTmpfsIsTakenWhereTheImageHasNothingToCopy() throws IOException {
        Map<String, Object> config = Bundles.resource("podman-4.3-read-only.json");
        Path root = Files.createDirectories(bundle.resolve("root"));
        Bundles.with(config, "root.path", root.toString());
        Files.createDirectories(root.resolve("tmp"));
        ContainerSpec spec = spec(config);
        assertTrue(spec.rootfs().orElseThrow().readOnly());
        assertTrue(spec.rootfs().orElseThrow().mounts().stream().anyMatch(mount -> mount.destination().equals("/tmp")
                && mount instanceof Mount.Filesystem fs && fs.type().equals("tmpfs")), "an empty /tmp, a missing /run");
        Files.writeString(root.resolve("tmp/left"), "x");
        Failure failure = assertThrows(Failure.class, () -> spec(config));
        assertEquals("config.json: mounts[0].options: \"tmpcopyup\": isolate copies nothing into a new tmpfs, and /tmp"
                + " is not empty in the container's root", failure.getMessage());
    }

    @Test
    void containerdsDefaultSpecAsCtrRunCompletesIt() {
        Map<String, Object> config = Bundles.resource("containerd-1.6-oci-spec.json");
        Bundles.with(config, "process.args", List.of("/bin/true"));
        Bundles.with(config, "linux.cgroupsPath", "/default/c1");
        ContainerSpec spec = spec(config);
        assertEquals(EnumSet.of(Namespace.PID, Namespace.IPC, Namespace.UTS, Namespace.MOUNT, Namespace.NET),
                spec.namespaces());
        assertEquals(new NetworkMode.Isolated(), spec.network().mode());
        assertEquals(Optional.empty(), spec.hostname(), "no hostname: the copy of the host's a new UTS namespace has");
        assertEquals(Optional.of("default"), spec.resources().parent());
        assertEquals(Optional.of("c1"), spec.resources().name());
        assertTrue(spec.containment().noNewPrivileges());
        assertTrue(sets(spec).bounding().contains(Capability.MKNOD));
        assertEquals(bundle.toAbsolutePath().resolve("rootfs").toString(), spec.rootfs().orElseThrow().image());
        assertFalse(spec.rootfs().orElseThrow().readOnly());
    }
}
