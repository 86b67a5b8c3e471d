package dev.isolate.spec;

import dev.isolate.exit.Failure;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What to run inside a running process's namespaces (isolate exec), validated.
 *
 * @param namespaces  the types to join; empty means every type in which the target differs
 * @param environment the command's complete environment
 * @param workdir     where the command starts; the target's own working directory without it
 * @param privileged  exec --privileged: keep isolate's own capabilities and run unfiltered, instead of
 *                    taking on the target's confinement
 * @param tunables    the command's resource limits and umask (an OCI runtime's exec process); a domain
 *                    name or an OOM score is not a join's to change
 * @param capabilities the command's sets (an OCI runtime's exec process), within the target's bounding
 *                    set; empty: the target's bounding set as every set but the ambient one
 * @param credentials the ids the command runs as (an OCI runtime's exec process); empty: isolate's
 */
public record JoinSpec(Set<Namespace> namespaces, Map<String, String> environment, Optional<String> workdir,
        boolean privileged, List<String> command, Tunables tunables, Optional<CapabilitySets> capabilities,
        Optional<Credentials> credentials) {
    /** isolate exec's: the target's confinement, isolate's ids. */
    public JoinSpec(Set<Namespace> namespaces, Map<String, String> environment, Optional<String> workdir,
            boolean privileged, List<String> command) {
        this(namespaces, environment, workdir, privileged, command, Tunables.NONE, Optional.empty(), Optional.empty());
    }

    public JoinSpec {
        namespaces = Collections.unmodifiableSet(namespaces.isEmpty()
                ? EnumSet.noneOf(Namespace.class) : EnumSet.copyOf(namespaces));
        environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        command = List.copyOf(command);
        if (command.isEmpty() || command.get(0).isEmpty()) {
            throw Failure.input("no command given: see isolate exec --help");
        }
        command.forEach(arg -> CStrings.requireNoNul("command argument", arg));
        environment.forEach((name, value) -> {
            ContainerSpec.requireValidEnvName(name);
            CStrings.requireNoNul("environment variable " + name, value);
        });
        workdir.ifPresent(dir -> CStrings.requireNoNul("workdir", dir));
        if (privileged && (capabilities.isPresent() || credentials.isPresent())) {
            throw new IllegalArgumentException("a privileged join keeps isolate's capabilities and ids");
        }
        if (tunables.domainname().isPresent() || tunables.oomScoreAdj().isPresent()) {
            throw new IllegalArgumentException("a join sets resource limits and the umask only");
        }
    }
}
