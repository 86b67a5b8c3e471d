package dev.isolate.plan;

import static dev.isolate.linux.Linux.*;

import dev.isolate.exit.Failure;
import dev.isolate.host.HostFacts;
import dev.isolate.spec.Capability;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Containment;
import dev.isolate.spec.Credentials;
import dev.isolate.spec.IdMapping;
import dev.isolate.spec.Namespace;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.Step;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * What the command keeps: its capabilities, no_new_privs, and the descriptors it inherits.
 * The bounding set is reduced before the change of ids (that needs CAP_SETPCAP, which the
 * change may take away), the other sets after it (the change needs CAP_SETUID and CAP_SETGID,
 * which the container may not keep), as runc does.
 */
final class ContainmentSteps {
    private ContainmentSteps() {
    }

    /**
     * @throws Failure when --cap-add names a capability the command cannot be given: one that
     *                 this kernel does not know, or, without a new user namespace, one outside
     *                 isolate's own bounding set
     */
    static void check(ContainerSpec spec, HostFacts facts) {
        Containment containment = spec.containment();
        long grantable = grantable(spec, facts);
        for (Capability capability : containment.added()) {
            if ((grantable & capability.bit()) == 0) {
                throw Failure.input("--cap-add " + capability.name() + ": " + (capability.ordinal() > facts.lastCapability()
                        ? "this kernel does not know " + capability
                        : "isolate does not hold " + capability + " (its bounding set lacks it), so it cannot give it"));
            }
        }
        containment.preserveFds().ifPresent(count -> {
            Set<Integer> missing = new TreeSet<>(preserved(count));
            missing.removeAll(facts.passedFds());
            if (!missing.isEmpty()) {
                throw Failure.input("--preserve-fds " + count + ": descriptor" + (missing.size() > 1 ? "s " : " ")
                        + missing.stream().map(String::valueOf).collect(Collectors.joining(", "))
                        + (missing.size() > 1 ? " are" : " is") + " not open in isolate's caller");
            }
        });
    }

    /** The descriptors above 2 that the command inherits. */
    static Set<Integer> passedFds(ContainerSpec spec, HostFacts facts) {
        if (spec.containment().preserveFds().isPresent()) {
            return preserved(spec.containment().preserveFds().getAsInt());
        }
        // A root filesystem is a boundary: a descriptor of a host directory is a way out of it
        // (runc's CVE-2024-21626), so only what --preserve-fds names crosses it.
        return spec.rootfs().isPresent() ? Set.of() : facts.passedFds();
    }

    private static Set<Integer> preserved(int count) {
        return IntStream.range(3, 3 + count).boxed().collect(Collectors.toCollection(TreeSet::new));
    }

    /** Before the change of ids: the bounding set, and an empty ambient set. */
    static void limit(ContainerSpec spec, HostFacts facts, List<Step> steps) {
        spec.containment().capabilities().ifPresent(sets -> limit(Capability.mask(sets.bounding()), facts, steps));
    }

    /** Every capability outside {@code kept} dropped from the bounding set; the ambient set emptied. */
    static void limit(long kept, HostFacts facts, List<Step> steps) {
        for (int cap = 0; cap <= facts.lastCapability(); cap++) {
            if ((kept & (1L << cap)) == 0) {
                steps.add(Step.of(Call.PRCTL, Check.SUCCESS, "drop capability " + capabilityName(cap)
                        + " from the bounding set", Arg.of(PR_CAPBSET_DROP), Arg.of(cap)));
            }
        }
        steps.add(Step.of(Call.PRCTL, Check.SUCCESS, "clear the ambient capabilities",
                Arg.of(PR_CAP_AMBIENT), Arg.of(PR_CAP_AMBIENT_CLEAR_ALL), Arg.of(0), Arg.of(0), Arg.of(0)));
    }

    /**
     * After the change of ids: the permitted, effective and inheritable sets, then the ambient
     * one. Root inside keeps the container's sets; any other user gets none, as execve would
     * leave it (docker's rule), unless the sets are for any user (an OCI bundle's, which
     * {@link #keepAcrossIdChange} keeps through setresuid).
     */
    static void set(ContainerSpec spec, HostFacts facts, Optional<Credentials> credentials, List<Step> steps) {
        spec.containment().capabilities().ifPresent(sets -> {
            long grantable = uidInside(spec, facts, credentials) == 0 || sets.forAnyUser() ? grantable(spec, facts) : 0;
            set(Capability.mask(sets.effective()) & grantable, Capability.mask(sets.permitted()) & grantable,
                    Capability.mask(sets.inheritable()) & grantable, sets.ambient(), steps);
        });
    }

    /** capset(2) of each set, then each ambient capability raised. */
    static void set(long effective, long permitted, long inheritable, Set<Capability> ambient, List<Step> steps) {
        set(effective, permitted, inheritable, steps);
        for (Capability capability : ambient) {
            steps.add(Step.of(Call.PRCTL, Check.SUCCESS, "raise ambient capability " + capability,
                    Arg.of(PR_CAP_AMBIENT), Arg.of(PR_CAP_AMBIENT_RAISE), Arg.of(capability.ordinal()), Arg.of(0),
                    Arg.of(0)));
        }
    }

    /**
     * Before the change of ids, for sets that hold for any user: without this the kernel
     * clears the permitted and effective sets when the uid leaves 0, and capset cannot raise
     * them again.
     */
    static void keepAcrossIdChange(ContainerSpec spec, List<Step> steps) {
        if (spec.containment().capabilities().filter(sets -> sets.forAnyUser() && !sets.permitted().isEmpty())
                .isPresent() && spec.runAs().changes()) {
            steps.add(Step.of(Call.PRCTL, Check.SUCCESS, "keep the permitted capabilities across the change of ids",
                    Arg.of(PR_SET_KEEPCAPS), Arg.of(1), Arg.of(0), Arg.of(0), Arg.of(0)));
        }
    }

    /** capset(2) of the same mask to the effective, permitted and inheritable sets. */
    static void set(long mask, List<Step> steps) {
        set(mask, mask, mask, steps);
    }

    private static void set(long effective, long permitted, long inheritable, List<Step> steps) {
        ByteBuffer header = ByteBuffer.allocate(CAP_HEADER_SIZE).order(ByteOrder.nativeOrder());
        header.putInt(LINUX_CAPABILITY_VERSION_3).putInt(0);
        ByteBuffer data = ByteBuffer.allocate(CAP_DATA_SIZE).order(ByteOrder.nativeOrder());
        for (int word = 0; word < 2; word++) {
            data.putInt((int) (effective >>> (32 * word))).putInt((int) (permitted >>> (32 * word)))
                    .putInt((int) (inheritable >>> (32 * word)));
        }
        String what = effective == permitted && permitted == inheritable
                ? String.format("set the capabilities to %016x", effective)
                : String.format("set the capabilities to effective %016x, permitted %016x, inheritable %016x",
                        effective, permitted, inheritable);
        steps.add(Step.of(Call.CAPSET, Check.SUCCESS, what, new Arg.Bytes(header.array()),
                new Arg.Bytes(data.array())));
    }

    /** prctl(PR_SET_NO_NEW_PRIVS), when asked for. */
    static void noNewPrivileges(ContainerSpec spec, List<Step> steps) {
        if (spec.containment().noNewPrivileges()) {
            noNewPrivileges("set no_new_privs", steps);
        }
    }

    /** @param what why it is set, as the step is named */
    static void noNewPrivileges(String what, List<Step> steps) {
        steps.add(Step.of(Call.PRCTL, Check.SUCCESS, what,
                Arg.of(PR_SET_NO_NEW_PRIVS), Arg.of(1), Arg.of(0), Arg.of(0), Arg.of(0)));
    }

    /**
     * The capabilities the child can hold: all the kernel knows in a new user namespace, whose
     * creator gets every one; otherwise at most isolate's own bounding set.
     */
    private static long grantable(ContainerSpec spec, HostFacts facts) {
        return spec.namespaces().contains(Namespace.USER) ? facts.knownCapabilities()
                : facts.knownCapabilities() & facts.boundingSet();
    }

    /** The uid the command runs as, as its own user namespace numbers it. */
    private static long uidInside(ContainerSpec spec, HostFacts facts, Optional<Credentials> credentials) {
        if (credentials.isPresent() && credentials.get().uid().isPresent()) {
            return credentials.get().uid().getAsLong();
        }
        long outside = facts.caller().uid();
        return spec.user().map(ns -> ns.uids().stream()
                .filter(range -> outside >= range.outer() && outside < range.outer() + range.count())
                .map(range -> range.inner() + (outside - range.outer())).findFirst()
                .orElse(IdMapping.ID_LIMIT)).orElse(outside);
    }

    private static String capabilityName(int cap) {
        return cap < Capability.values().length ? Capability.values()[cap].toString() : "number " + cap;
    }
}
