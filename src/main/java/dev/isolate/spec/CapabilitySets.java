package dev.isolate.spec;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The command's five capability sets.
 *
 * @param forAnyUser the sets hold whoever the command runs as, as an OCI bundle gives them; without
 *                   it, docker's rule: a user other than root inside gets none but the bounding set
 */
public record CapabilitySets(Set<Capability> bounding, Set<Capability> effective, Set<Capability> permitted,
        Set<Capability> inheritable, Set<Capability> ambient, boolean forAnyUser) {
    public CapabilitySets {
        bounding = copy(bounding);
        effective = copy(effective);
        permitted = copy(permitted);
        inheritable = copy(inheritable);
        ambient = copy(ambient);
    }

    /** The command line's: one set for the bounding, effective, permitted and inheritable sets, no ambient ones. */
    public static CapabilitySets uniform(Set<Capability> set) {
        return new CapabilitySets(set, set, set, set, Set.of(), false);
    }

    private static Set<Capability> copy(Set<Capability> set) {
        return Collections.unmodifiableSet(set.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(set));
    }
}
