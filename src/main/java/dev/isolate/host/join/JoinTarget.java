package dev.isolate.host.join;

import dev.isolate.spec.Namespace;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The running process to join, as descriptors isolate opened before the clone (the child
 * inherits them): one per namespace to enter, and its root and working directories when the
 * command is to start in them.
 */
public record JoinTarget(Map<Namespace, Integer> namespaceFds, OptionalInt rootFd, OptionalInt cwdFd) {
    public JoinTarget {
        namespaceFds = Collections.unmodifiableMap(namespaceFds.isEmpty()
                ? new EnumMap<>(Namespace.class) : new EnumMap<>(namespaceFds));
    }
}
