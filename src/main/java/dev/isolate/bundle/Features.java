package dev.isolate.bundle;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.isolate.host.seccomp.Profile;
import dev.isolate.spec.Capability;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The document of {@code isolate-runtime features}, in runc's format (the runtime-spec's
 * features.md): what {@link BundleConfig#read} accepts, from the same constants.
 */
public final class Features {
    /** The data options a kernel filesystem's mount may take, which runc's format has no field for. */
    static final String MOUNT_DATA_ANNOTATION = "dev.isolate.mountDataOptions";

    private Features() {
    }

    public static String json() {
        Map<String, Object> features = new LinkedHashMap<>();
        features.put("ociVersionMin", Supported.OCI_VERSION_MIN);
        features.put("ociVersionMax", Supported.OCI_VERSION_MAX);
        features.put("hooks", Supported.HOOKS);
        features.put("mountOptions", Supported.mountOptions());
        Map<String, Object> linux = new LinkedHashMap<>();
        linux.put("namespaces", List.copyOf(Supported.NAMESPACES.keySet()));
        linux.put("capabilities", Arrays.stream(Capability.values()).map(Capability::toString).toList());
        Map<String, Object> cgroup = new LinkedHashMap<>();
        cgroup.put("v1", true);
        cgroup.put("v2", true);
        cgroup.put("systemd", false);
        cgroup.put("systemdUser", false);
        cgroup.put("rdma", false);
        linux.put("cgroup", cgroup);
        Map<String, Object> seccomp = new LinkedHashMap<>();
        seccomp.put("enabled", true);
        seccomp.put("actions", seccompActions());
        seccomp.put("operators", Arrays.stream(Profile.Op.values()).map(op -> "SCMP_CMP_" + op.name()).toList());
        seccomp.put("archs", Supported.SECCOMP_ARCHES);
        seccomp.put("knownFlags", List.of());
        seccomp.put("supportedFlags", List.of());
        linux.put("seccomp", seccomp);
        linux.put("apparmor", Map.of("enabled", false));
        linux.put("selinux", Map.of("enabled", false));
        linux.put("intelRdt", Map.of("enabled", false));
        linux.put("mountExtensions", Map.of("idmap", Map.of("enabled", false)));
        features.put("linux", linux);
        features.put("annotations", Map.of(MOUNT_DATA_ANNOTATION, String.join(",", Supported.FILESYSTEM_KEYS)));
        try {
            return JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(features) + "\n";
        } catch (IOException e) {
            // Maps, lists, strings and booleans always write.
            throw new UncheckedIOException(e);
        }
    }

    /** libseccomp's names of the actions isolate's profiles take; SCMP_ACT_KILL is KILL_THREAD's old name. */
    static List<String> seccompActions() {
        List<String> actions = new ArrayList<>(List.of("SCMP_ACT_KILL"));
        Arrays.stream(Profile.Action.Kind.values()).map(kind -> "SCMP_ACT_" + kind.name()).forEach(actions::add);
        return actions;
    }
}
