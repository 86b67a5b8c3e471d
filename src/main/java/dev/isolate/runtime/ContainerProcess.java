package dev.isolate.runtime;

import dev.isolate.bundle.ProcessConfig;
import dev.isolate.spec.Capability;
import dev.isolate.spec.CapabilitySets;
import dev.isolate.spec.SeccompProfile;
import dev.isolate.sys.ByteStrings;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What exec takes from the container's own process (config.json's process at create, kept in
 * state.json): its environment and working directory, which `exec ID COMMAND` starts from as
 * runc's does, and the confinement an exec'd process takes on.
 *
 * @param bounding        the container's bounding set, every capability when config.json names none
 * @param noNewPrivileges the container's no_new_privs
 * @param seccomp         config.json's linux.seccomp as JSON text (a byte string); none: unconfined
 */
public record ContainerProcess(List<String> env, String cwd, Set<Capability> bounding, boolean noNewPrivileges,
        Optional<String> seccomp) {
    public ContainerProcess {
        env = List.copyOf(env);
        // In the kernel's order, as /proc/PID/status and error lines show sets.
        bounding = bounding.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(bounding));
    }

    /** From config.json's process as the bundle read it, and the seccomp profile of the container's spec. */
    static ContainerProcess of(ProcessConfig process, SeccompProfile seccomp) {
        Optional<String> profile;
        if (seccomp instanceof SeccompProfile.Json json) {
            profile = Optional.of(ByteStrings.of(json.text()));
        } else if (seccomp instanceof SeccompProfile.Unconfined) {
            profile = Optional.empty();
        } else {
            throw new IllegalArgumentException("a bundle's seccomp is JSON or none: " + seccomp);
        }
        Set<Capability> bounding = process.capabilities().map(CapabilitySets::bounding)
                .orElseGet(() -> EnumSet.allOf(Capability.class));
        return new ContainerProcess(process.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .toList(), process.cwd(), bounding, process.noNewPrivileges(), profile);
    }

    /** The profile an exec'd process runs under: the container's. */
    public SeccompProfile seccompProfile() {
        return seccomp.<SeccompProfile>map(text -> new SeccompProfile.Json(ByteStrings.bytes(text), "config.json"))
                .orElseGet(SeccompProfile.Unconfined::new);
    }

    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("env", env);
        json.put("cwd", cwd);
        json.put("bounding", new TreeSet<>(bounding.stream().map(Enum::name).toList()).stream().toList());
        json.put("noNewPrivileges", noNewPrivileges);
        seccomp.ifPresent(text -> json.put("seccomp", text));
        return json;
    }

    @SuppressWarnings("unchecked")
    static ContainerProcess fromJson(Map<String, Object> json) {
        Set<Capability> bounding = EnumSet.noneOf(Capability.class);
        ((List<String>) json.get("bounding")).forEach(name -> bounding.add(Capability.valueOf(name)));
        return new ContainerProcess((List<String>) json.get("env"), (String) json.get("cwd"), bounding,
                (Boolean) json.get("noNewPrivileges"), Optional.ofNullable((String) json.get("seccomp")));
    }
}
