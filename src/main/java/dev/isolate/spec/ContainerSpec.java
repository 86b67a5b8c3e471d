package dev.isolate.spec;

import dev.isolate.exit.Failure;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What to run and how to isolate it: validated, immutable, and free of any
 * decision about how the kernel is asked for it (that is the planner's job).
 *
 * @param namespaces  the namespace types to create
 * @param network     the container's network; NET is created exactly when its mode creates one
 * @param user        the id mappings, present exactly when USER is created
 * @param hostname    the new UTS namespace's hostname, if it is given one (only with a new UTS namespace)
 * @param timeOffsets clock offsets for a new time namespace
 * @param propagation how the new mount namespace's mounts relate to the host's
 * @param rootfs      the root filesystem to switch to; it comes with new mount and PID namespaces
 * @param environment the command's complete environment, in order
 * @param workdir     directory to change to before running the command
 * @param runAs       the user and groups to become after the set-up, before the command
 * @param containment what the command may still do: capabilities, seccomp, masked paths, descriptors
 * @param resources   the cgroup the container runs in and its limits
 * @param tunables    the command's resource limits, umask and OOM score, the domain name
 * @param terminal    -t: the command gets a new pseudo-terminal, which isolate relays to its own stdio
 * @param init        --init: PID 1 is a small init that forwards signals to the command and reaps orphans
 * @param command     the command and its arguments; the first is looked up in PATH unless it has a slash
 */
public record ContainerSpec(
        Set<Namespace> namespaces,
        Network network,
        Optional<UserNamespace> user,
        Optional<String> hostname,
        TimeOffsets timeOffsets,
        Propagation propagation,
        Optional<RootFilesystem> rootfs,
        Map<String, String> environment,
        Optional<String> workdir,
        RunAs runAs,
        Containment containment,
        Resources resources,
        Tunables tunables,
        boolean terminal,
        boolean init,
        List<String> command) {

    /** RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens. */
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    /** The kernel's limit for sethostname (HOST_NAME_MAX). */
    public static final int MAX_HOSTNAME = 64;

    public ContainerSpec {
        namespaces = Collections.unmodifiableSet(namespaces.isEmpty()
                ? EnumSet.noneOf(Namespace.class) : EnumSet.copyOf(namespaces));
        environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        command = List.copyOf(command);

        if (command.isEmpty()) {
            throw Failure.input("no command given: see isolate --help");
        }
        if (command.get(0).isEmpty()) {
            throw Failure.input("command: the name is empty");
        }
        command.forEach(arg -> CStrings.requireNoNul("command argument", arg));
        if (user.isPresent() != namespaces.contains(Namespace.USER)) {
            throw new IllegalArgumentException("id mappings come exactly with a new user namespace");
        }
        if (network.mode().createsNamespace() != namespaces.contains(Namespace.NET)) {
            throw new IllegalArgumentException("a new network namespace comes exactly with a network mode that makes one");
        }
        if (network.mode() instanceof NetworkMode.Joined joined && namespaces.contains(Namespace.USER)) {
            // A new user namespace owns nothing on the host, so it may not enter the host's namespaces.
            throw Failure.input("--network: " + joined.description() + " cannot be entered from"
                    + " a new user namespace (-U, or the one an unprivileged caller gets for other namespaces)");
        }
        if (!network.dns().isEmpty() && rootfs.isEmpty()) {
            throw Failure.input("--dns: needs a root filesystem (-R), whose /etc/resolv.conf it replaces");
        }
        if (hostname.isPresent() && !namespaces.contains(Namespace.UTS)) {
            // Without a hostname a new UTS namespace keeps the copy of the host's (an OCI bundle's choice).
            throw new IllegalArgumentException("a hostname needs a new UTS namespace");
        }
        hostname.ifPresent(ContainerSpec::requireValidHostname);
        if (tunables.domainname().isPresent() && !namespaces.contains(Namespace.UTS)) {
            throw Failure.input("domainname: needs a new UTS namespace");
        }
        if (!timeOffsets.isNone() && !namespaces.contains(Namespace.TIME)) {
            throw new IllegalArgumentException("clock offsets need a new time namespace");
        }
        if (namespaces.contains(Namespace.PID) && !namespaces.contains(Namespace.MOUNT)) {
            throw new IllegalArgumentException("a PID namespace needs a mount namespace for its /proc");
        }
        if (propagation != Propagation.PRIVATE && !namespaces.contains(Namespace.MOUNT)) {
            throw Failure.input("--propagation: needs a new mount namespace (-m)");
        }
        if (rootfs.isPresent() && !namespaces.containsAll(EnumSet.of(Namespace.MOUNT, Namespace.PID))) {
            // Without its own PID namespace the container's /proc would show the host's
            // processes, and /proc/1/root would lead back to the host's root.
            throw new IllegalArgumentException("a root filesystem comes with new mount and PID namespaces");
        }
        environment.forEach((name, value) -> {
            requireValidEnvName(name);
            CStrings.requireNoNul("environment variable " + name, value);
        });
        workdir.ifPresent(dir -> {
            if (dir.isEmpty()) {
                throw Failure.input("workdir: the path is empty");
            }
            CStrings.requireNoNul("workdir", dir);
        });
    }

    static void requireValidHostname(String name) {
        if (name.isEmpty() || name.length() > MAX_HOSTNAME) {
            throw Failure.input("hostname \"" + name + "\": must be 1 to " + MAX_HOSTNAME + " characters");
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw Failure.input("hostname \"" + name
                        + "\": use letters, digits and inner hyphens, in dot-separated labels");
            }
        }
    }

    static void requireValidEnvName(String name) {
        if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
            throw Failure.input("environment variable \"" + name + "\": not a valid name");
        }
    }
}
