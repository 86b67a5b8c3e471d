package dev.isolate.runtime;

import dev.isolate.bundle.ProcessConfig;
import dev.isolate.exit.Failure;
import dev.isolate.spec.Capability;
import dev.isolate.spec.CapabilitySets;
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
import java.util.Set;

/**
 * What exec runs, from --process's file (the spec's process object, as conmon and containerd's
 * shim write it, read by the bundle's own parser) or from exec's command line. isolate's exec
 * gives a process the container's confinement, not one of its own choosing: it runs as root of
 * the container's user namespace (uid 0, gid 0), with the container's bounding set as its
 * bounding, effective, permitted and inheritable sets and no ambient one, the container's
 * no_new_privs and seccomp filter, and the runtime's own OOM score. A process file's field is
 * taken when it asks for exactly that, and refused naming the field otherwise; its resource
 * limits and umask are its own to set.
 *
 * @param tunables the process file's rlimits and umask (none: the runtime's own)
 */
public record ExecProcess(List<String> args, Map<String, String> env, String cwd, Tunables tunables) {
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
        return new ExecProcess(command, merged, cwd.orElse(container.cwd()), Tunables.NONE);
    }

    /** exec --process FILE, checked against what exec gives a process in this container. */
    public static ExecProcess read(Path file, ContainerProcess container) {
        ProcessConfig process = ProcessConfig.read(file);
        String where = "--process " + file + ": ";
        if (process.terminal()) {
            throw Failure.input(where + "terminal: exec with a terminal is not supported");
        }
        ProcessConfig.User user = process.user();
        if (user.uid() != 0 || user.gid() != 0 || !user.additionalGids().isEmpty()) {
            throw Failure.input(where + "user: an exec'd process runs as uid 0, gid 0 of the container, with no"
                    + " additional groups");
        }
        process.capabilities().ifPresent(sets -> requireGiven(where, sets, container.bounding()));
        if (process.noNewPrivileges() != container.noNewPrivileges()) {
            throw Failure.input(where + "noNewPrivileges: an exec'd process has the container's, "
                    + container.noNewPrivileges());
        }
        if (process.oomScoreAdj().isPresent() && process.oomScoreAdj().getAsInt() != ownOomScoreAdj()) {
            throw Failure.input(where + "oomScoreAdj " + process.oomScoreAdj().getAsInt()
                    + ": an exec'd process keeps the runtime's own, " + ownOomScoreAdj());
        }
        return new ExecProcess(process.args(), process.env(), process.cwd(),
                new Tunables(process.rlimits(), user.umask(), OptionalInt.empty(), Optional.empty()));
    }

    /** The namespaces joined are every one the container has apart from the host's: JoinSpec's empty set. */
    public JoinSpec joinSpec() {
        return new JoinSpec(EnumSet.noneOf(Namespace.class), env, Optional.of(cwd), false, args, tunables);
    }

    private static void requireGiven(String where, CapabilitySets sets, Set<Capability> bounding) {
        Map<String, Set<Capability>> asked = new LinkedHashMap<>();
        asked.put("bounding", sets.bounding());
        asked.put("effective", sets.effective());
        asked.put("permitted", sets.permitted());
        asked.put("inheritable", sets.inheritable());
        asked.forEach((set, capabilities) -> {
            if (!capabilities.equals(bounding)) {
                throw Failure.input(where + "capabilities." + set + ": an exec'd process has the container's"
                        + " bounding set " + bounding + " as its " + set + " set");
            }
        });
        if (!sets.ambient().isEmpty()) {
            throw Failure.input(where + "capabilities.ambient: an exec'd process has no ambient capabilities");
        }
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
