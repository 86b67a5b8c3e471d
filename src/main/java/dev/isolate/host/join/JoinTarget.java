package dev.isolate.host.join;

import dev.isolate.spec.Namespace;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The running process to join, as descriptors isolate opened before the clone (the child
 * inherits them): one per namespace to enter, and its root and working directories when the
 * command is to start in them; and what it may do, which the joining command gets too.
 *
 * @param confinement the target's capabilities, no_new_privs and seccomp mode, from its /proc status
 */
public record JoinTarget(Map<Namespace, Integer> namespaceFds, OptionalInt rootFd, OptionalInt cwdFd,
        Confinement confinement) {
    /**
     * @param boundingSet     its capability bounding set (CapBnd): the most it, and so the joining command, may hold
     * @param noNewPrivileges whether it runs with no_new_privs
     * @param filtered        whether it runs under a seccomp filter (Seccomp: 2)
     */
    public record Confinement(long boundingSet, boolean noNewPrivileges, boolean filtered) {
        /** A process that may do anything root may: no limit to copy. */
        public static final Confinement NONE = new Confinement(-1L, false, false);
    }

    public JoinTarget {
        namespaceFds = Collections.unmodifiableMap(namespaceFds.isEmpty()
                ? new EnumMap<>(Namespace.class) : new EnumMap<>(namespaceFds));
    }
}
