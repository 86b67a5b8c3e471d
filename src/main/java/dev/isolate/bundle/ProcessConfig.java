package dev.isolate.bundle;

import dev.isolate.spec.Capability;
import dev.isolate.spec.CapabilitySets;
import dev.isolate.spec.IdMapping;
import dev.isolate.spec.Tunables.Rlimit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * config.json's process: what the container runs, as whom, and with what.
 *
 * @param consoleSize   the terminal's size, only with {@code terminal}
 * @param env           the complete environment, in order; a name given twice keeps its last value
 * @param capabilities  the five sets; empty when config.json has none, which leaves them as they are (runc's rule)
 * @param oomScoreAdj   /proc/PID/oom_score_adj
 */
public record ProcessConfig(boolean terminal, Optional<ConsoleSize> consoleSize, User user, List<String> args,
        Map<String, String> env, String cwd, Optional<CapabilitySets> capabilities, boolean noNewPrivileges,
        List<Rlimit> rlimits, OptionalInt oomScoreAdj) {
    private static final Set<String> FIELDS = Set.of("terminal", "consoleSize", "user", "args", "commandLine", "env",
            "cwd", "capabilities", "noNewPrivileges", "rlimits", "oomScoreAdj", "selinuxLabel", "apparmorProfile",
            "ioPriority", "scheduler", "execCPUAffinity");
    private static final List<String> CAPABILITY_SETS = List.of("bounding", "effective", "inheritable", "permitted",
            "ambient");

    public ProcessConfig {
        args = List.copyOf(args);
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        rlimits = List.copyOf(rlimits);
    }

    /** The terminal's rows and columns. */
    public record ConsoleSize(int height, int width) {
    }

    /**
     * The ids the process runs with, as numbers: config.json never names a user.
     *
     * @param additionalGids the supplementary groups, exactly these
     */
    public record User(long uid, long gid, OptionalInt umask, List<Long> additionalGids) {
        public User {
            additionalGids = List.copyOf(additionalGids);
        }
    }

    /**
     * A process object of its own, as exec's --process file gives one: the same fields, named
     * in errors after the file as given, from its root.
     */
    public static ProcessConfig read(Path file) {
        return read(Node.readFile(file, file.toString()));
    }

    static ProcessConfig read(Node process) {
        process.require().fields(FIELDS);
        process.refuse("commandLine", "a Windows field; give args");
        process.refuse("selinuxLabel", "isolate applies no SELinux labels");
        process.refuse("apparmorProfile", "isolate applies no AppArmor profiles");
        process.refuse("ioPriority", "isolate does not support it");
        process.refuse("scheduler", "isolate does not support it");
        process.refuse("execCPUAffinity", "isolate does not support it");
        boolean terminal = process.field("terminal").bool();
        Node size = process.field("consoleSize");
        Optional<ConsoleSize> consoleSize = Optional.empty();
        if (!size.absent()) {
            if (!terminal) {
                throw size.fail("only with \"terminal\": true");
            }
            size.fields(Set.of("height", "width"));
            consoleSize = Optional.of(new ConsoleSize((int) size.field("height").require().number(0, 65535),
                    (int) size.field("width").require().number(0, 65535)));
        }
        Node argsNode = process.field("args");
        List<String> args = argsNode.require().strings();
        if (args.isEmpty()) {
            throw argsNode.fail("empty: name the command to run");
        }
        Node cwdNode = process.field("cwd");
        String cwd = cwdNode.require().string();
        if (!cwd.startsWith("/")) {
            throw cwdNode.fail("\"" + cwd + "\": must be an absolute path in the container");
        }
        return new ProcessConfig(terminal, consoleSize, user(process.field("user")), args,
                env(process.field("env")), cwd, capabilities(process.field("capabilities")),
                process.field("noNewPrivileges").bool(), rlimits(process.field("rlimits")),
                process.field("oomScoreAdj").optionalInt(-1000, 1000));
    }

    private static User user(Node user) {
        if (user.absent()) {
            return new User(0, 0, OptionalInt.empty(), List.of());
        }
        user.fields(Set.of("uid", "gid", "umask", "additionalGids", "username"));
        user.refuse("username", "a Windows field; give uid and gid");
        long maxId = IdMapping.ID_LIMIT - 1;
        long uid = user.field("uid").optionalNumber(0, maxId).orElse(0);
        long gid = user.field("gid").optionalNumber(0, maxId).orElse(0);
        List<Long> groups = user.field("additionalGids").list().stream().map(node -> node.number(0, maxId)).toList();
        return new User(uid, gid, user.field("umask").optionalInt(0, 0777), groups);
    }

    private static Map<String, String> env(Node env) {
        Map<String, String> variables = new LinkedHashMap<>();
        for (Node entry : env.list()) {
            String assignment = entry.string();
            int equals = assignment.indexOf('=');
            if (equals <= 0) {
                throw entry.fail("\"" + assignment + "\": expected NAME=VALUE");
            }
            variables.put(assignment.substring(0, equals), assignment.substring(equals + 1));
        }
        return variables;
    }

    private static Optional<CapabilitySets> capabilities(Node capabilities) {
        if (capabilities.absent()) {
            return Optional.empty();
        }
        capabilities.fields(Set.copyOf(CAPABILITY_SETS));
        List<Set<Capability>> sets = new ArrayList<>();
        for (String name : CAPABILITY_SETS) {
            Set<Capability> set = EnumSet.noneOf(Capability.class);
            for (Node entry : capabilities.field(name).list()) {
                set.add(capability(entry));
            }
            sets.add(set);
        }
        // An OCI bundle's sets hold whoever the process runs as.
        return Optional.of(new CapabilitySets(sets.get(0), sets.get(1), sets.get(3), sets.get(2), sets.get(4), true));
    }

    /** CAP_NAME, as the spec and capabilities(7) spell it. */
    static Capability capability(Node entry) {
        String name = entry.string();
        for (Capability capability : Capability.values()) {
            if (capability.toString().equals(name)) {
                return capability;
            }
        }
        throw entry.fail("\"" + name + "\": not a capability isolate knows (see capabilities(7))");
    }

    private static List<Rlimit> rlimits(Node rlimits) {
        List<Rlimit> limits = new ArrayList<>();
        for (Node entry : rlimits.list()) {
            entry.fields(Set.of("type", "soft", "hard"));
            Node type = entry.field("type");
            String name = type.require().string();
            if (!Rlimit.NAMES.contains(name)) {
                throw type.fail("\"" + name + "\": not a resource limit (expected one of " + String.join(", ",
                        Rlimit.NAMES) + ")");
            }
            if (limits.stream().anyMatch(limit -> limit.name().equals(name))) {
                throw type.fail(name + " is given twice");
            }
            long soft = entry.field("soft").require().unsigned64();
            long hard = entry.field("hard").require().unsigned64();
            if (Long.compareUnsigned(soft, hard) > 0) {
                throw entry.fail("the soft limit " + Long.toUnsignedString(soft) + " is above the hard one, "
                        + Long.toUnsignedString(hard));
            }
            limits.add(Rlimit.of(name, soft, hard));
        }
        return limits;
    }
}
