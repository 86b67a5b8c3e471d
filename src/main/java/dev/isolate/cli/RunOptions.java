package dev.isolate.cli;

import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Environments;
import dev.isolate.spec.IdMapping;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.SpecException;
import dev.isolate.spec.TimeOffsets;
import dev.isolate.spec.UserNamespace;
import dev.isolate.userns.Caller;
import dev.isolate.userns.MappingRequest;
import dev.isolate.userns.Subordinates;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The options of {@code isolate run}, shared by the {@code isolate COMMAND} shorthand. */
final class RunOptions {
    @Option(names = {"-n", "--net"}, description = "New network namespace. Its lo is brought up, as bubblewrap and docker do.")
    boolean net;

    @Option(names = {"-p", "--pid"}, description = "New PID namespace: COMMAND is PID 1. Implies -m and mounts a fresh /proc, so ps shows only the container.")
    boolean pid;

    @Option(names = {"-u", "--uts"}, paramLabel = "HOSTNAME", description = "New UTS namespace with this hostname (1-64 characters, letters, digits, inner hyphens and dots).")
    String hostname;

    @Option(names = {"-m", "--mount"}, description = "New mount namespace. Mount propagation is made private (recursively) first, so no mount made inside reaches the host.")
    boolean mount;

    @Option(names = {"-i", "--ipc"}, description = "New IPC namespace.")
    boolean ipc;

    @Option(names = {"-C", "--cgroup"}, description = "New cgroup namespace.")
    boolean cgroup;

    @Option(names = {"-T", "--time"}, description = "New time namespace.")
    boolean time;

    @Option(names = "--monotonic", paramLabel = "SECS", description = "Offset of CLOCK_MONOTONIC in the new time namespace. Implies -T.")
    Long monotonic;

    @Option(names = "--boottime", paramLabel = "SECS", description = "Offset of CLOCK_BOOTTIME in the new time namespace. Implies -T.")
    Long boottime;

    @Option(names = {"-U", "--user"}, description = "New user namespace. Without other mapping options, root inside is you outside (-r). Unprivileged callers get one automatically when they ask for other namespaces.")
    boolean user;

    @Option(names = {"-r", "--map-root-user"}, description = "Map uid and gid 0 inside to your own (implies -U).")
    boolean mapRoot;

    @Option(names = "--map-user", paramLabel = "UID", description = "Map your uid to UID inside instead of 0 (implies -U).")
    Long mapUser;

    @Option(names = "--map-group", paramLabel = "GID", description = "Map your gid to GID inside instead of 0 (implies -U).")
    Long mapGroup;

    @Option(names = "--map-users", paramLabel = "INNER:OUTER:COUNT", description = "Map COUNT uids from OUTER outside to INNER inside. Repeatable; without privilege, through newuidmap and /etc/subuid.")
    List<String> mapUsers = new ArrayList<>();

    @Option(names = "--map-groups", paramLabel = "INNER:OUTER:COUNT", description = "Map COUNT gids from OUTER outside to INNER inside. Repeatable; without privilege, through newgidmap and /etc/subgid.")
    List<String> mapGroups = new ArrayList<>();

    @Option(names = "--map-auto", description = "Map 0 to you and 1.. to your first ranges in /etc/subuid and /etc/subgid (as rootless podman does).")
    boolean mapAuto;

    @Option(names = "--setgroups", paramLabel = "allow|deny", description = "Whether setgroups(2) works inside. Default: what the kernel requires for the mapping.")
    SetGroups setgroups;

    @Option(names = "--no-user-auto", description = "Never create a user namespace unasked; without privilege, other namespaces then fail.")
    boolean noUserAuto;

    enum SetGroups { allow, deny }

    @Option(names = {"-e", "--env"}, paramLabel = "NAME[=VALUE]", description = "Set a variable in COMMAND's environment; a bare NAME copies isolate's value. Repeatable.")
    List<String> env = new ArrayList<>();

    @Option(names = "--clear-env", description = "Start COMMAND with an empty environment (plus -e).")
    boolean clearEnv;

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory of COMMAND.")
    String workdir;

    @Option(names = {"-v", "--verbose"}, description = "Print what isolate does on stderr. Repeat for stack traces.")
    boolean[] verbose = new boolean[0];

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command and its arguments. A name without a slash is looked up in PATH, as execvp does.")
    List<String> command = new ArrayList<>();

    int verbosity() {
        return verbose.length;
    }

    MappingRequest mappingRequest() {
        return new MappingRequest(user, mapRoot, mapUser, mapGroup,
                mapUsers.stream().map(IdMapping::parse).toList(), mapGroups.stream().map(IdMapping::parse).toList(),
                mapAuto, setgroups == null ? null : setgroups == SetGroups.allow, noUserAuto);
    }

    ContainerSpec toSpec(Map<String, String> callerEnvironment, Caller caller, Subordinates subordinates) {
        Set<Namespace> namespaces = EnumSet.noneOf(Namespace.class);
        if (net) {
            namespaces.add(Namespace.NET);
        }
        if (pid) {
            namespaces.add(Namespace.PID);
            namespaces.add(Namespace.MOUNT);
        }
        if (hostname != null) {
            namespaces.add(Namespace.UTS);
        }
        if (mount) {
            namespaces.add(Namespace.MOUNT);
        }
        if (ipc) {
            namespaces.add(Namespace.IPC);
        }
        if (cgroup) {
            namespaces.add(Namespace.CGROUP);
        }
        TimeOffsets offsets = new TimeOffsets(monotonic == null ? 0 : monotonic, boottime == null ? 0 : boottime);
        if (time || monotonic != null || boottime != null) {
            namespaces.add(Namespace.TIME);
        }
        if (command.isEmpty()) {
            throw new SpecException("no command given: see isolate --help");
        }
        Optional<UserNamespace> userNamespace = mappingRequest().resolve(caller, !namespaces.isEmpty(), subordinates);
        if (userNamespace.isPresent()) {
            namespaces.add(Namespace.USER);
        }
        return new ContainerSpec(namespaces, userNamespace, Optional.ofNullable(hostname), offsets,
                Environments.compose(callerEnvironment, clearEnv, env), Optional.ofNullable(workdir), command);
    }
}
