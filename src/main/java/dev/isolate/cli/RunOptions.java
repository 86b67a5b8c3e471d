package dev.isolate.cli;

import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Environments;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.SpecException;
import dev.isolate.spec.TimeOffsets;
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

    ContainerSpec toSpec(Map<String, String> callerEnvironment) {
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
        return new ContainerSpec(namespaces, Optional.ofNullable(hostname), offsets,
                Environments.compose(callerEnvironment, clearEnv, env), Optional.ofNullable(workdir), command);
    }
}
