package dev.isolate.runtime;

import dev.isolate.spec.SeccompProfile;
import dev.isolate.sys.ByteStrings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What exec takes from the container's own process (config.json's process at create): its
 * environment and working directory, which `exec ID COMMAND` starts from as runc's does, and
 * the fields of its confinement, which an exec'd process takes on from the container's. An
 * exec --process file may repeat those, and may not ask for others.
 *
 * @param confinement config.json's process.user, capabilities, noNewPrivileges, apparmorProfile,
 *                    selinuxLabel and oomScoreAdj, as parsed JSON, absent ones left out
 * @param seccomp     config.json's linux.seccomp as JSON text (a byte string), which an exec'd process
 *                    runs under too; none: unconfined
 */
public record ContainerProcess(List<String> env, String cwd, Map<String, Object> confinement,
        Optional<String> seccomp) {
    /** The process fields an exec'd process takes on from the container rather than from what it is given. */
    static final List<String> CONFINEMENT = List.of("user", "capabilities", "noNewPrivileges", "apparmorProfile",
            "selinuxLabel", "oomScoreAdj");

    public ContainerProcess {
        env = List.copyOf(env);
        confinement = new LinkedHashMap<>(confinement);
    }

    /** From config.json's process object as parsed, and the seccomp profile of the container's spec. */
    @SuppressWarnings("unchecked")
    static ContainerProcess of(Map<String, Object> process, SeccompProfile seccomp) {
        Map<String, Object> confinement = new LinkedHashMap<>();
        for (String field : CONFINEMENT) {
            Object value = process.get(field);
            if (value != null && !"".equals(value)) {
                confinement.put(field, value);
            }
        }
        Optional<String> profile;
        if (seccomp instanceof SeccompProfile.Json json) {
            profile = Optional.of(ByteStrings.of(json.text()));
        } else if (seccomp instanceof SeccompProfile.Unconfined) {
            profile = Optional.empty();
        } else {
            throw new IllegalArgumentException("a bundle's seccomp is JSON or none: " + seccomp);
        }
        return new ContainerProcess((List<String>) process.getOrDefault("env", List.of()),
                (String) process.getOrDefault("cwd", "/"), confinement, profile);
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
        json.put("confinement", confinement);
        seccomp.ifPresent(text -> json.put("seccomp", text));
        return json;
    }

    @SuppressWarnings("unchecked")
    static ContainerProcess fromJson(Map<String, Object> json) {
        return new ContainerProcess((List<String>) json.get("env"), (String) json.get("cwd"),
                (Map<String, Object>) json.get("confinement"), Optional.ofNullable((String) json.get("seccomp")));
    }
}
