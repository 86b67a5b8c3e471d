package dev.isolate.host.seccomp;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.isolate.exit.Failure;
import dev.isolate.host.KernelVersion;
import dev.isolate.spec.Capability;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A seccomp profile in the JSON format of docker and podman (moby's profiles/seccomp and
 * containers/common's seccomp.json): a default action, the architectures, and rules, each an
 * action for some syscalls, maybe only when arguments compare so, and maybe only for some
 * capability sets, architectures or kernels. A field isolate does not know, or a value that
 * would change what the filter does and that isolate cannot honour, is an input error:
 * a profile is never applied other than it reads.
 *
 * @param architectures the filter's architectures by libseccomp's names ({@code SCMP_ARCH_X86_64});
 *                      empty means those archMap gives for the native one
 */
public record Profile(Action defaultAction, List<String> architectures, List<ArchMapping> archMap,
        List<Rule> rules) {
    /** runtime.GOARCH, the name docker compares includes.arches and excludes.arches with. */
    public static final String NATIVE_ARCH = "amd64";
    /** The libseccomp name of the native architecture, whose archMap entry counts. */
    public static final String NATIVE_SCMP_ARCH = "SCMP_ARCH_X86_64";
    private static final Pattern MIN_KERNEL = Pattern.compile("\\d+\\.\\d+");

    public Profile {
        architectures = List.copyOf(architectures);
        archMap = List.copyOf(archMap);
        rules = List.copyOf(rules);
    }

    /** What the filter does with a call: libseccomp's SCMP_ACT_*, with the errno or trace value. */
    public record Action(Kind kind, long value) {
        public enum Kind {
            KILL_THREAD(0x00000000), KILL_PROCESS(0x80000000), TRAP(0x00030000), ERRNO(0x00050000),
            TRACE(0x7ff00000), LOG(0x7ffc0000), ALLOW(0x7fff0000);

            private final int code;

            Kind(int code) {
                this.code = code;
            }
        }

        /** The action as libseccomp takes it (SCMP_ACT_ERRNO(x) is 0x00050000 | x). */
        public int code() {
            return kind.code | (int) (value & 0xffff);
        }

        @Override
        public String toString() {
            return kind + (kind == Kind.ERRNO || kind == Kind.TRACE ? "(" + value + ")" : "");
        }
    }

    /** An archMap entry: with the native {@code architecture}, the filter also covers the sub-architectures. */
    public record ArchMapping(String architecture, List<String> subArchitectures) {
        public ArchMapping {
            subArchitectures = List.copyOf(subArchitectures);
        }
    }

    /** libseccomp's enum scmp_compare. */
    public enum Op {
        NE(1), LT(2), LE(3), EQ(4), GE(5), GT(6), MASKED_EQ(7);

        private final int code;

        Op(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    /** Argument {@code index} compared with {@code value}; for MASKED_EQ, (argument & value) == valueTwo. */
    public record Condition(int index, long value, long valueTwo, Op op) {
    }

    /** includes or excludes: capabilities (all of them, or any of them), architectures (docker's names), a kernel. */
    public record Selector(List<String> caps, List<String> arches, Optional<KernelVersion> minKernel) {
        public static final Selector NONE = new Selector(List.of(), List.of(), Optional.empty());

        public Selector {
            caps = List.copyOf(caps);
            arches = List.copyOf(arches);
        }
    }

    public record Rule(List<String> names, Action action, List<Condition> args, Selector includes,
            Selector excludes) {
        public Rule {
            names = List.copyOf(names);
            args = List.copyOf(args);
        }

        /**
         * Whether the rule applies, as docker decides it: an excluded architecture, any excluded
         * capability held or a kernel at least excludes.minKernel drops it; so does a missing
         * included architecture, a missing included capability, or a kernel older than
         * includes.minKernel.
         */
        public boolean appliesTo(Set<Capability> capabilities, KernelVersion kernel) {
            Set<String> held = capabilities.stream().map(Capability::toString).collect(Collectors.toSet());
            if (excludes.arches.contains(NATIVE_ARCH)
                    || (!includes.arches.isEmpty() && !includes.arches.contains(NATIVE_ARCH))) {
                return false;
            }
            if (excludes.caps.stream().anyMatch(held::contains) || !held.containsAll(includes.caps)) {
                return false;
            }
            return excludes.minKernel.map(min -> kernel.compareTo(min) < 0).orElse(true)
                    && includes.minKernel.map(min -> kernel.compareTo(min) >= 0).orElse(true);
        }
    }

    /** The architectures the filter covers, by libseccomp's names, as docker picks them. */
    public List<String> filterArchitectures() {
        if (!architectures.isEmpty()) {
            return architectures;
        }
        List<String> picked = new ArrayList<>();
        for (ArchMapping mapping : archMap) {
            if (mapping.architecture().equals(NATIVE_SCMP_ARCH)) {
                picked.add(mapping.architecture());
                picked.addAll(mapping.subArchitectures());
            }
        }
        return picked;
    }

    /**
     * @param what how messages name the profile, e.g. "seccomp profile /etc/p.json"
     * @throws Failure (input) when it is not such a profile
     */
    public static Profile parse(byte[] json, String what) {
        Object root;
        try {
            root = JSON.std.anyFrom(json);
        } catch (IOException e) {
            String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse("unreadable");
            throw Failure.input(what + ": not JSON: " + reason);
        }
        return new Reader(what).profile(root);
    }

    /** Walks the parsed JSON; each error names where in the profile it is. */
    private record Reader(String what) {
        Profile profile(Object root) {
            Map<String, Object> top = object(root, "the profile");
            known(top, "the profile", "defaultAction", "defaultErrnoRet", "architectures", "archMap", "syscalls",
                    "flags", "listenerPath", "listenerMetadata");
            for (String unsupported : List.of("flags", "listenerPath", "listenerMetadata")) {
                Object value = top.get(unsupported);
                if (value != null && !(value instanceof String s && s.isEmpty())
                        && !(value instanceof List<?> l && l.isEmpty())) {
                    throw fail("\"" + unsupported + "\": isolate applies no seccomp filter flags and runs no"
                            + " notification listener; remove it");
                }
            }
            Action defaultAction = action(require(top, "defaultAction", "the profile"),
                    optionalNumber(top.get("defaultErrnoRet"), "defaultErrnoRet"), "defaultAction");
            List<String> architectures = strings(top.get("architectures"), "architectures");
            List<ArchMapping> archMap = new ArrayList<>();
            List<Object> maps = list(top.get("archMap"), "archMap");
            for (int i = 0; i < maps.size(); i++) {
                String where = "archMap[" + i + "]";
                Map<String, Object> entry = object(maps.get(i), where);
                known(entry, where, "architecture", "subArchitectures");
                archMap.add(new ArchMapping(string(require(entry, "architecture", where), where + ".architecture"),
                        strings(entry.get("subArchitectures"), where + ".subArchitectures")));
            }
            List<Rule> rules = new ArrayList<>();
            List<Object> syscalls = list(top.get("syscalls"), "syscalls");
            for (int i = 0; i < syscalls.size(); i++) {
                rules.add(rule(syscalls.get(i), "syscalls[" + i + "]"));
            }
            return new Profile(defaultAction, architectures, archMap, rules);
        }

        private Rule rule(Object value, String where) {
            Map<String, Object> rule = object(value, where);
            known(rule, where, "names", "name", "action", "errnoRet", "args", "comment", "includes", "excludes");
            List<String> names = new ArrayList<>(strings(rule.get("names"), where + ".names"));
            if (rule.get("name") != null) {
                names.add(string(rule.get("name"), where + ".name"));
            }
            Action action = action(require(rule, "action", where),
                    optionalNumber(rule.get("errnoRet"), where + ".errnoRet"), where + ".action");
            List<Condition> conditions = new ArrayList<>();
            List<Object> args = list(rule.get("args"), where + ".args");
            for (int i = 0; i < args.size(); i++) {
                conditions.add(condition(args.get(i), where + ".args[" + i + "]"));
            }
            return new Rule(names, action, conditions, selector(rule.get("includes"), where + ".includes"),
                    selector(rule.get("excludes"), where + ".excludes"));
        }

        private Condition condition(Object value, String where) {
            Map<String, Object> arg = object(value, where);
            known(arg, where, "index", "value", "valueTwo", "op");
            long index = number(require(arg, "index", where), where + ".index");
            if (index > 5) {
                throw fail(where + ".index " + index + ": a syscall has arguments 0 to 5");
            }
            String op = string(require(arg, "op", where), where + ".op");
            Op parsed;
            try {
                parsed = Op.valueOf(op.startsWith("SCMP_CMP_") ? op.substring("SCMP_CMP_".length()) : "?");
            } catch (IllegalArgumentException e) {
                throw fail(where + ".op \"" + op + "\": expected one of SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE,"
                        + " SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ");
            }
            return new Condition((int) index, optionalNumber(arg.get("value"), where + ".value").orElse(0),
                    optionalNumber(arg.get("valueTwo"), where + ".valueTwo").orElse(0), parsed);
        }

        private Selector selector(Object value, String where) {
            if (value == null) {
                return Selector.NONE;
            }
            Map<String, Object> selector = object(value, where);
            known(selector, where, "caps", "arches", "minKernel");
            Optional<KernelVersion> minKernel = Optional.ofNullable(selector.get("minKernel")).map(v -> {
                String text = string(v, where + ".minKernel");
                if (!MIN_KERNEL.matcher(text).matches()) {
                    throw fail(where + ".minKernel \"" + text + "\": expected a kernel version such as 4.8");
                }
                return KernelVersion.parse(text);
            });
            return new Selector(strings(selector.get("caps"), where + ".caps"),
                    strings(selector.get("arches"), where + ".arches"), minKernel);
        }

        private Action action(Object value, OptionalLong errnoRet, String where) {
            String name = string(value, where);
            Action.Kind kind = switch (name) {
                case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> Action.Kind.KILL_THREAD;
                case "SCMP_ACT_KILL_PROCESS" -> Action.Kind.KILL_PROCESS;
                case "SCMP_ACT_TRAP" -> Action.Kind.TRAP;
                case "SCMP_ACT_ERRNO" -> Action.Kind.ERRNO;
                case "SCMP_ACT_TRACE" -> Action.Kind.TRACE;
                case "SCMP_ACT_LOG" -> Action.Kind.LOG;
                case "SCMP_ACT_ALLOW" -> Action.Kind.ALLOW;
                case "SCMP_ACT_NOTIFY" -> throw fail(where + " \"SCMP_ACT_NOTIFY\": isolate runs no notification"
                        + " listener for it");
                default -> throw fail(where + " \"" + name + "\": not an action (expected SCMP_ACT_ALLOW,"
                        + " SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP,"
                        + " SCMP_ACT_TRACE or SCMP_ACT_LOG)");
            };
            boolean takesValue = kind == Action.Kind.ERRNO || kind == Action.Kind.TRACE;
            if (errnoRet.isPresent() && !takesValue) {
                throw fail(where + " " + name + ": takes no errnoRet");
            }
            long ret = errnoRet.orElse(1); // EPERM, as runc gives an ERRNO or TRACE action without one
            if (takesValue && ret > 0xffff) {
                throw fail(where + " " + name + ": errnoRet " + ret + " is more than 65535");
            }
            return new Action(kind, takesValue ? ret : 0);
        }

        private Map<String, Object> object(Object value, String where) {
            if (value instanceof Map<?, ?> map) {
                @SuppressWarnings("unchecked")
                Map<String, Object> fields = (Map<String, Object>) map;
                return fields;
            }
            throw fail(where + ": expected an object");
        }

        private void known(Map<String, Object> fields, String where, String... names) {
            List<String> known = List.of(names);
            for (String field : fields.keySet()) {
                if (!known.contains(field)) {
                    throw fail(where + ": unknown field \"" + field + "\"");
                }
            }
        }

        private Object require(Map<String, Object> fields, String name, String where) {
            Object value = fields.get(name);
            if (value == null) {
                throw fail(where + ": \"" + name + "\" is missing");
            }
            return value;
        }

        private List<Object> list(Object value, String where) {
            if (value == null) {
                return List.of();
            }
            if (value instanceof List<?> list) {
                return new ArrayList<>(list);
            }
            throw fail(where + ": expected a list");
        }

        private List<String> strings(Object value, String where) {
            List<Object> items = list(value, where);
            List<String> strings = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                strings.add(string(items.get(i), where + "[" + i + "]"));
            }
            return strings;
        }

        private String string(Object value, String where) {
            if (value instanceof String s) {
                return s;
            }
            throw fail(where + ": expected a string");
        }

        private OptionalLong optionalNumber(Object value, String where) {
            return value == null ? OptionalLong.empty() : OptionalLong.of(number(value, where));
        }

        /** A JSON number from 0 to 2^64-1, as a long of the same 64 bits. */
        private long number(Object value, String where) {
            BigInteger n;
            if (value instanceof Integer || value instanceof Long) {
                n = BigInteger.valueOf(((Number) value).longValue());
            } else if (value instanceof BigInteger big) {
                n = big;
            } else {
                throw fail(where + ": expected a whole number");
            }
            if (n.signum() < 0 || n.bitLength() > 64) {
                throw fail(where + " " + n + ": expected a number from 0 to 18446744073709551615");
            }
            return n.longValue();
        }

        private Failure fail(String message) {
            return Failure.input(what + ": " + message);
        }
    }
}
