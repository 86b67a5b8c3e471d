package dev.isolate.runtime;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.isolate.exit.Failure;
import dev.isolate.spec.JoinSpec;
import dev.isolate.spec.Namespace;
import dev.isolate.sys.ByteStrings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What exec runs, from --process's file (the spec's process object, as podman's conmon and
 * containerd's shim write it) or from exec's command line. isolate's exec runs a command
 * with the container's own confinement: a process file's user, capabilities and the like are
 * taken when they are the container's (engines copy them from its config), and refused
 * naming the field when they ask for something else; fields exec cannot honour are refused.
 */
public record ExecProcess(List<String> args, List<String> env, String cwd) {
    private static final Map<String, String> LIMIT_NAMES = Map.ofEntries(
            Map.entry("RLIMIT_CPU", "Max cpu time"), Map.entry("RLIMIT_FSIZE", "Max file size"),
            Map.entry("RLIMIT_DATA", "Max data size"), Map.entry("RLIMIT_STACK", "Max stack size"),
            Map.entry("RLIMIT_CORE", "Max core file size"), Map.entry("RLIMIT_RSS", "Max resident set"),
            Map.entry("RLIMIT_NPROC", "Max processes"), Map.entry("RLIMIT_NOFILE", "Max open files"),
            Map.entry("RLIMIT_MEMLOCK", "Max locked memory"), Map.entry("RLIMIT_AS", "Max address space"),
            Map.entry("RLIMIT_LOCKS", "Max file locks"), Map.entry("RLIMIT_SIGPENDING", "Max pending signals"),
            Map.entry("RLIMIT_MSGQUEUE", "Max msgqueue size"), Map.entry("RLIMIT_NICE", "Max nice priority"),
            Map.entry("RLIMIT_RTPRIO", "Max realtime priority"), Map.entry("RLIMIT_RTTIME", "Max realtime timeout"));

    public ExecProcess {
        args = List.copyOf(args);
        env = List.copyOf(env);
        if (args.isEmpty()) {
            throw Failure.input("exec: no command given (args is empty)");
        }
    }

    /** exec ID COMMAND...: the container's environment with --env's entries over it, its cwd unless --cwd. */
    public static ExecProcess fromCommandLine(ContainerProcess container, List<String> command, List<String> env,
            Optional<String> cwd) {
        Map<String, String> merged = environment(container.env(), "env");
        merged.putAll(environment(env, "--env"));
        return new ExecProcess(command, merged.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .toList(), cwd.orElse(container.cwd()));
    }

    /** exec --process FILE, checked against the container's own process. */
    public static ExecProcess read(Path file, ContainerProcess container) {
        Map<String, Object> json;
        try {
            json = JSON.std.mapFrom(Files.readString(file));
        } catch (IOException e) {
            throw Failure.input("--process " + file + ": " + Failure.reason(e));
        }
        if (json == null) {
            throw Failure.input("--process " + file + ": not a JSON object");
        }
        String where = "--process " + file + ": ";
        for (Map.Entry<String, Object> field : json.entrySet()) {
            String name = field.getKey();
            Object value = field.getValue();
            switch (name) {
                case "args", "env", "cwd" -> {
                    // read below
                }
                case "terminal" -> {
                    if (Boolean.TRUE.equals(value)) {
                        throw Failure.input(where + "terminal: exec with a terminal is not supported");
                    }
                }
                case "consoleSize" -> {
                    if (value != null) {
                        throw Failure.input(where + "consoleSize: given without a terminal");
                    }
                }
                case "rlimits" -> requireOwnLimits(where, value);
                default -> {
                    if (!ContainerProcess.CONFINEMENT.contains(name)) {
                        throw Failure.input(where + name + ": isolate-runtime's exec does not support it");
                    }
                    if (!same(value, container.confinement().get(name))) {
                        throw Failure.input(where + name + ": differs from the container's own process, whose "
                                + name + " every exec'd process takes on");
                    }
                }
            }
        }
        return new ExecProcess(strings(json.get("args"), where + "args"),
                json.get("env") == null ? List.of() : strings(json.get("env"), where + "env"),
                json.get("cwd") instanceof String cwd ? cwd : container.cwd());
    }

    /** The namespaces joined are every one the container has apart from the host's: JoinSpec's empty set. */
    public JoinSpec joinSpec() {
        return new JoinSpec(EnumSet.noneOf(Namespace.class), environment(env, "env"), Optional.of(cwd), false, args);
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

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object value, String what) {
        if (!(value instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
            throw Failure.input(what + ": not a list of strings");
        }
        return ((List<String>) list).stream().map(ByteStrings::encodedByTheJvm).toList();
    }

    /** JSON values compared as the spec means them: absent, null, "" and false alike; lists as sets. */
    static boolean same(Object given, Object own) {
        Object a = normal(given);
        Object b = normal(own);
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            HashSet<Object> keys = new HashSet<>(ma.keySet());
            keys.addAll(mb.keySet());
            return keys.stream().allMatch(key -> same(ma.get(key), mb.get(key)));
        }
        if (a instanceof Collection<?> ca && b instanceof Collection<?> cb) {
            return new HashSet<>(ca).equals(new HashSet<>(cb));
        }
        if (a instanceof Number na && b instanceof Number nb) {
            return na.longValue() == nb.longValue();
        }
        return a == null ? b == null : a.equals(b);
    }

    private static Object normal(Object value) {
        if (value == null || "".equals(value) || Boolean.FALSE.equals(value)
                || value instanceof Collection<?> c && c.isEmpty() || value instanceof Map<?, ?> m && m.isEmpty()) {
            return null;
        }
        return value;
    }

    /**
     * An exec'd process has isolate-runtime's own resource limits: a process file's rlimits are
     * taken when they are those, and refused otherwise.
     */
    @SuppressWarnings("unchecked")
    private static void requireOwnLimits(String where, Object value) {
        if (value == null) {
            return;
        }
        Map<String, String[]> own = ownLimits();
        for (Map<String, Object> limit : (List<Map<String, Object>>) value) {
            String type = String.valueOf(limit.get("type"));
            String[] current = Optional.ofNullable(LIMIT_NAMES.get(type)).map(own::get).orElseThrow(() ->
                    Failure.input(where + "rlimits: " + type + ": not a resource limit"));
            if (!current[0].equals(String.valueOf(limit.get("soft"))) || !current[1].equals(
                    String.valueOf(limit.get("hard")))) {
                throw Failure.input(where + "rlimits: " + type + " " + limit.get("soft") + ":" + limit.get("hard")
                        + ": an exec'd process keeps the runtime's own limit, " + current[0] + ":" + current[1]);
            }
        }
    }

    /** /proc/self/limits by name: soft and hard, with "unlimited" as 2^64-1 as the spec writes it. */
    private static Map<String, String[]> ownLimits() {
        Map<String, String[]> limits = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                for (String name : LIMIT_NAMES.values()) {
                    if (line.startsWith(name + " ")) {
                        String[] words = line.substring(name.length()).trim().split(" +");
                        limits.put(name, new String[] {unlimited(words[0]), unlimited(words[1])});
                    }
                }
            }
        } catch (IOException e) {
            throw Failure.step("/proc/self/limits: " + Failure.reason(e));
        }
        return limits;
    }

    private static String unlimited(String value) {
        return value.equals("unlimited") ? "18446744073709551615" : value;
    }
}
