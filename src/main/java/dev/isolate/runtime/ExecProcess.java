package dev.isolate.runtime;

import dev.isolate.bundle.ProcessConfig;
import dev.isolate.exit.Failure;
import dev.isolate.spec.Capability;
import dev.isolate.spec.CapabilitySets;
import dev.isolate.spec.Credentials;
import dev.isolate.spec.JoinSpec;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.Tunables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What exec runs, from --process's file (the spec's process object, as conmon and containerd's
 * shim write it, read by the bundle's own parser) or from exec's command line. A process file
 * gives the exec'd process its ids, supplementary groups, capability sets (within the
 * container's bounding set), resource limits and umask; it always takes on the container's
 * no_new_privs and seccomp filter, and keeps the runtime's OOM score, so a file that asks for
 * another of those is refused naming the field. From the command line, the process runs with
 * the container's bounding set as its sets and the runtime's ids.
 *
 * @param tunables     the process file's rlimits and umask (none: the runtime's own)
 * @param capabilities the process file's sets; empty: the container's bounding set
 * @param credentials  the process file's uid, gid and groups; empty: the runtime's
 */
public record ExecProcess(List<String> args, Map<String, String> env, String cwd, Tunables tunables,
        Optional<CapabilitySets> capabilities, Optional<Credentials> credentials) {
    public ExecProcess {
        args = List.copyOf(args);
        env = new LinkedHashMap<>(env);
        if (args.isEmpty()) {
            throw Failure.input("exec: no command given (args is empty)");
        }
    }

    /** exec ID COMMAND...: the container's environment with --env's entries over it, its cwd unless --cwd. */
    public static ExecProcess fromCommandLine(ContainerProcess container, List<String> command, List<String> env,
            Optional<String> cwd) {
        Map<String, String> merged = environment(container.env(), "env");
        merged.putAll(environment(env, "--env"));
        return new ExecProcess(command, merged, cwd.orElse(container.cwd()), Tunables.NONE, Optional.empty(),
                Optional.empty());
    }

    /** exec --process FILE, checked against what exec gives a process in this container. */
    public static ExecProcess read(Path file, ContainerProcess container) {
        ProcessConfig process = ProcessConfig.read(file);
        String where = "--process " + file + ": ";
        if (process.terminal()) {
            throw Failure.input(where + "terminal: exec with a terminal is not supported");
        }
        ProcessConfig.User user = process.user();
        process.capabilities().ifPresent(sets -> requireWithin(where, sets, container.bounding()));
        Credentials ids = new Credentials(OptionalLong.of(user.uid()), OptionalLong.of(user.gid()),
                user.additionalGids(), Optional.empty());
        if (process.noNewPrivileges() != container.noNewPrivileges()) {
            throw Failure.input(where + "noNewPrivileges: an exec'd process has the container's, "
                    + container.noNewPrivileges());
        }
        if (process.oomScoreAdj().isPresent() && process.oomScoreAdj().getAsInt() != ownOomScoreAdj()) {
            throw Failure.input(where + "oomScoreAdj " + process.oomScoreAdj().getAsInt()
                    + ": an exec'd process keeps the runtime's own, " + ownOomScoreAdj());
        }
        return new ExecProcess(process.args(), process.env(), process.cwd(),
                new Tunables(process.rlimits(), user.umask(), OptionalInt.empty(), Optional.empty()),
                process.capabilities(), Optional.of(ids));
    }

    /** The namespaces joined are every one the container has apart from the host's: JoinSpec's empty set. */
    public JoinSpec joinSpec() {
        return new JoinSpec(EnumSet.noneOf(Namespace.class), env, Optional.of(cwd), false, args, tunables, capabilities,
                credentials);
    }

    private static void requireWithin(String where, CapabilitySets sets, Set<Capability> bounding) {
        Map<String, Set<Capability>> asked = new LinkedHashMap<>();
        asked.put("bounding", sets.bounding());
        asked.put("effective", sets.effective());
        asked.put("permitted", sets.permitted());
        asked.put("inheritable", sets.inheritable());
        asked.put("ambient", sets.ambient());
        asked.forEach((set, capabilities) -> {
            if (!bounding.containsAll(capabilities)) {
                Set<Capability> beyond = EnumSet.noneOf(Capability.class);
                beyond.addAll(capabilities);
                beyond.removeAll(bounding);
                throw Failure.input(where + "capabilities." + set + ": " + beyond + " beyond the container's bounding"
                        + " set " + bounding);
            }
        });
    }

    private static Map<String, String> environment(List<String> entries, String what) {
        Map<String, String> environment = new LinkedHashMap<>();
        for (String entry : entries) {
            int equals = entry.indexOf('=');
            if (equals <= 0) {
                throw Failure.input(what + " \"" + entry + "\": not NAME=VALUE");
            }
            environment.put(entry.substring(0, equals), entry.substring(equals + 1));
        }
        return environment;
    }

    private static int ownOomScoreAdj() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/self/oom_score_adj")).strip());
        } catch (IOException e) {
            throw Failure.step("/proc/self/oom_score_adj: " + Failure.reason(e));
        }
    }
}
