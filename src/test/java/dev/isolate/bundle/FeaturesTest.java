package dev.isolate.bundle;

import static dev.isolate.bundle.Bundles.minimal;
import static dev.isolate.bundle.Bundles.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What features lists is what a bundle may use, no more and no less. */
class FeaturesTest {
    @TempDir
    Path bundle;

    private static final Map<String, Object> FEATURES = Bundles.tree(Features.json());

    @SuppressWarnings("unchecked")
    private static <T> T at(String path) {
        Object value = FEATURES;
        for (String name : path.split("\\.")) {
            value = ((Map<String, Object>) value).get(name);
        }
        return (T) value;
    }

    private void accepted(Map<String, Object> config) {
        BundleConfig.read(Bundles.write(bundle, config)).spec("c1", OptionalInt.empty(), true);
    }

    private void refused(Map<String, Object> config) {
        assertThrows(Failure.class, () -> accepted(config));
    }

    @Test
    void runcsShape() {
        assertEquals("1.0.0", at("ociVersionMin"));
        assertEquals("1.2.0", at("ociVersionMax"));
        assertEquals(Boolean.FALSE, at("linux.cgroup.systemd"));
        assertEquals(Boolean.TRUE, at("linux.cgroup.v1"));
        assertEquals(Boolean.TRUE, at("linux.cgroup.v2"));
        assertEquals(Boolean.TRUE, at("linux.seccomp.enabled"));
        assertEquals(Boolean.FALSE, at("linux.apparmor.enabled"));
        assertEquals(Boolean.FALSE, at("linux.selinux.enabled"));
        assertTrue(Features.json().endsWith("}\n"));
    }

    @Test
    void theVersionsListedAreReadAndNoOthers() {
        accepted(with(minimal(), "ociVersion", at("ociVersionMin")));
        accepted(with(minimal(), "ociVersion", at("ociVersionMax")));
        refused(with(minimal(), "ociVersion", "1.3.0"));
    }

    @Test
    void theHooksListedAreRunAndNoOthers() {
        List<String> hooks = at("hooks");
        for (String hook : List.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart",
                "poststop")) {
            Map<String, Object> config = with(minimal(), "hooks." + hook, List.of(Map.of("path", "/bin/true")));
            if (hooks.contains(hook)) {
                accepted(config);
            } else {
                refused(config);
            }
        }
        assertEquals(List.of("prestart", "createRuntime", "poststart", "poststop"), hooks);
    }

    @Test
    void everyMountOptionListedIsAccepted() {
        List<String> options = at("mountOptions");
        for (String option : options) {
            boolean bind = option.equals("bind") || option.equals("rbind");
            accepted(with(minimal(), "mounts", List.of(Map.of("destination", "/d", "type", bind ? "bind" : "tmpfs",
                    "source", "/tmp", "options", List.of(option)))));
        }
        Map<String, String> annotations = at("annotations");
        List<String> data = List.of(annotations.get(Features.MOUNT_DATA_ANNOTATION).split(","));
        assertEquals(List.of("mode", "size", "uid", "gid", "ptmxmode", "nr_inodes"), data);
        for (String key : data) {
            accepted(with(minimal(), "mounts", List.of(Map.of("destination", "/d", "type", "tmpfs",
                    "options", List.of(key + "=1")))));
        }
        for (String other : List.of("shared", "rslave", "unbindable", "remount", "sync", "mand", "idmap",
                "nosymfollow")) {
            assertFalse(options.contains(other));
            refused(with(minimal(), "mounts", List.of(Map.of("destination", "/d", "type", "tmpfs",
                    "options", List.of(other)))));
        }
    }

    @Test
    void everyNamespaceListedIsMade() {
        List<String> namespaces = at("linux.namespaces");
        assertEquals(List.of("pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"), namespaces);
        for (String type : namespaces) {
            List<Object> entries = new ArrayList<>(List.of(Map.of("type", "pid"), Map.of("type", "mount")));
            if (!type.equals("pid") && !type.equals("mount")) {
                entries.add(Map.of("type", type));
            }
            Map<String, Object> config = with(minimal(), "linux.namespaces", entries);
            if (type.equals("user")) {
                with(config, "linux.uidMappings", List.of(Map.of("containerID", 0, "hostID", 1000, "size", 1)));
                with(config, "linux.gidMappings", List.of(Map.of("containerID", 0, "hostID", 1000, "size", 1)));
            }
            if (type.equals("uts")) {
                with(config, "hostname", "h");
            }
            accepted(config);
        }
    }

    @Test
    void everyCapabilityListedIsTaken() {
        List<String> capabilities = at("linux.capabilities");
        accepted(with(minimal(), "process.capabilities.bounding", capabilities));
        assertTrue(capabilities.contains("CAP_CHECKPOINT_RESTORE"));
        refused(with(minimal(), "process.capabilities.bounding", List.of("CAP_NOT_ONE")));
    }

    @Test
    void everySeccompActionOperatorAndArchitectureListedIsCompiled() {
        List<String> actions = at("linux.seccomp.actions");
        List<String> operators = at("linux.seccomp.operators");
        List<String> archs = at("linux.seccomp.archs");
        for (String action : actions) {
            for (String operator : operators) {
                accepted(with(minimal(), "linux.seccomp", Map.of("defaultAction", "SCMP_ACT_ALLOW",
                        "architectures", archs, "syscalls", List.of(Map.of("names", List.of("keyctl"),
                                "action", action, "args", List.of(Map.of("index", 0, "value", 1, "op", operator)))))));
            }
        }
        assertFalse(actions.contains("SCMP_ACT_NOTIFY"));
        refused(with(minimal(), "linux.seccomp", Map.of("defaultAction", "SCMP_ACT_NOTIFY")));
        refused(with(minimal(), "linux.seccomp", Map.of("defaultAction", "SCMP_ACT_ALLOW",
                "flags", List.of("SECCOMP_FILTER_FLAG_LOG"))));
        assertEquals(List.of(), at("linux.seccomp.supportedFlags"));
    }
}
