package dev.isolate.spec;

import dev.isolate.exit.Failure;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What the command may still do once it runs: its capabilities, its seccomp filter,
 * no_new_privs, which parts of /proc and /sys it cannot see or change, and which of the
 * caller's descriptors reach it.
 *
 * @param capabilities   the command's capability sets; empty means unchanged: whatever isolate's child holds
 * @param added          the capabilities --cap-add named one by one, which must be grantable
 * @param seccomp        the filter installed just before the command
 * @param noNewPrivileges prctl(PR_SET_NO_NEW_PRIVS): setuid and file capabilities no longer raise privilege
 * @param maskedPaths    hide moby's masked paths and make its read-only ones read-only (a root filesystem only)
 * @param preserveFds    --preserve-fds N: descriptors 3 to 3+N-1 reach the command, and no others;
 *                       empty means the rule of the mode (every descriptor the caller passed without
 *                       a root filesystem, none with one)
 * @param privileged     --privileged: every capability, no filter, nothing masked, unless other options say otherwise
 */
public record Containment(Optional<CapabilitySets> capabilities, Set<Capability> added, SeccompProfile seccomp,
        boolean noNewPrivileges, boolean maskedPaths, OptionalInt preserveFds, boolean privileged) {
    /** Without a root filesystem, as isolate has always been: the unshare and nsexec tool. */
    public static final Containment NONE = new Containment(Optional.empty(), Set.of(),
            new SeccompProfile.Unconfined(), false, false, OptionalInt.empty(), false);

    public Containment {
        added = Collections.unmodifiableSet(added.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(added));
        preserveFds.ifPresent(n -> {
            if (n < 0) {
                throw Failure.input("--preserve-fds " + n + ": must be 0 or more");
            }
        });
    }

    /** --cap-add or --cap-drop of one capability, or of ALL when {@code capability} is empty. */
    public record CapabilityChange(boolean add, Optional<Capability> capability) {
        public static CapabilityChange parse(boolean add, String value) {
            String option = add ? "--cap-add" : "--cap-drop";
            return new CapabilityChange(add, value.equalsIgnoreCase("ALL") || value.equalsIgnoreCase("CAP_ALL")
                    ? Optional.empty() : Optional.of(Capability.parse(option, value)));
        }
    }

    /**
     * The containment the command line asks for.
     *
     * @param container    a root filesystem is given: contained defaults
     * @param changes      --cap-add and --cap-drop in the order given, applied to the default
     * @param securityOpts --security-opt values, as docker takes them
     */
    public static Containment of(boolean container, boolean privileged, List<CapabilityChange> changes,
            List<String> securityOpts, OptionalInt preserveFds) {
        boolean contained = container && !privileged;
        Optional<SeccompProfile> seccomp = Optional.empty();
        boolean noNewPrivileges = false;
        for (String opt : securityOpts) {
            int split = opt.indexOf(opt.indexOf('=') >= 0 ? '=' : ':');
            String key = split < 0 ? opt : opt.substring(0, split);
            String value = split < 0 ? null : opt.substring(split + 1);
            switch (key) {
                case "seccomp" -> seccomp = Optional.of(seccompProfile(opt, value));
                case "no-new-privileges" -> noNewPrivileges = flag(opt, value);
                case "label", "apparmor" -> throw Failure.input("--security-opt " + opt + ": isolate applies no"
                        + " AppArmor or SELinux labels; drop the option");
                default -> throw Failure.input("--security-opt " + opt + ": expected seccomp=unconfined|default|FILE"
                        + " or no-new-privileges[=true|false]");
            }
        }
        Set<Capability> set = EnumSet.noneOf(Capability.class);
        Set<Capability> added = EnumSet.noneOf(Capability.class);
        if (contained) {
            set.addAll(Capability.CONTAINED);
        } else {
            set.addAll(EnumSet.allOf(Capability.class));
        }
        for (CapabilityChange change : changes) {
            Set<Capability> named = change.capability().map(EnumSet::of).orElseGet(() -> EnumSet.allOf(Capability.class));
            if (change.add()) {
                set.addAll(named);
                change.capability().ifPresent(added::add);
            } else {
                set.removeAll(named);
                added.removeAll(named);
            }
        }
        // Not contained and nothing dropped: leave the capabilities alone, as unshare does.
        boolean unchanged = !contained && changes.stream().allMatch(CapabilityChange::add);
        return new Containment(unchanged ? Optional.empty() : Optional.of(CapabilitySets.uniform(set)), unchanged ? Set.of() : added,
                seccomp.orElse(contained ? new SeccompProfile.Default() : new SeccompProfile.Unconfined()),
                noNewPrivileges, contained, preserveFds, privileged);
    }

    private static SeccompProfile seccompProfile(String opt, String value) {
        if (value == null) {
            throw Failure.input("--security-opt " + opt + ": expected seccomp=unconfined, seccomp=default or"
                    + " seccomp=FILE");
        }
        return switch (value) {
            case "unconfined" -> new SeccompProfile.Unconfined();
            case "default", "builtin" -> new SeccompProfile.Default();
            default -> new SeccompProfile.File(value);
        };
    }

    private static boolean flag(String opt, String value) {
        if (value == null || value.equals("true")) {
            return true;
        }
        if (value.equals("false")) {
            return false;
        }
        throw Failure.input("--security-opt " + opt + ": expected no-new-privileges, no-new-privileges=true or"
                + " no-new-privileges=false");
    }

    /** Whether the command keeps every capability isolate's child has. */
    public boolean keepsCapabilities() {
        return capabilities.isEmpty();
    }
}
