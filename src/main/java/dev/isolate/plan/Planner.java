package dev.isolate.plan;

import static dev.isolate.linux.Linux.*;

import dev.isolate.exit.Failure;
import dev.isolate.host.HostFacts;
import dev.isolate.host.KernelVersion;
import dev.isolate.host.join.JoinTarget;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Credentials;
import dev.isolate.spec.JoinSpec;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.NetworkMode;
import dev.isolate.spec.SeccompProfile;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.LaunchPlan;
import dev.isolate.step.ParentStep;
import dev.isolate.step.Pause;
import dev.isolate.step.SocketFilter;
import dev.isolate.step.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a spec into everything a launch does, in order: the clone flags, the child's system
 * calls and the parent's work during the handshake. Pure, so every decision is unit-tested.
 * This class is the one list of what the child does; each part comes from a *Steps class
 * beside it.
 */
public final class Planner {
    /** close_range(CLOSE_RANGE_CLOEXEC), which makes fd hygiene race-free. */
    static final KernelVersion MINIMUM_KERNEL = new KernelVersion(5, 11);
    /** execve moves a process into the time namespace it unshared only since 6.0. */
    static final KernelVersion TIME_NAMESPACE_KERNEL = new KernelVersion(6, 0);
    /** mount_setattr(2), which makes mounts read-only recursively and detached trees private. */
    static final KernelVersion ROOTFS_KERNEL = new KernelVersion(5, 12);

    private Planner() {
    }

    /**
     * Whether the host can do what the spec asks: the kernel is recent enough, and the id maps
     * can be written, and the ids of -S, -G and --group-add that are numbers are mapped inside.
     * Called before anything on the host is prepared, so that a launch that cannot be planned
     * changes nothing; {@link #plan} checks the same.
     *
     * @param credentials -S, -G and --group-add looked up, when they could be before anything
     *                    was prepared (without a root filesystem: in the host's files)
     * @throws Failure when it cannot
     */
    public static void check(ContainerSpec spec, HostFacts facts, Optional<Credentials> credentials) {
        requireKernel(spec, facts.kernel());
        parentSteps(spec, facts);
        ContainmentSteps.check(spec, facts);
        CredentialSteps.checkNumbers(spec, facts);
        credentials.ifPresent(known -> CredentialSteps.check(spec, facts, known));
    }

    /**
     * @param prepared what the host's preparation made: present exactly where the spec asks for it
     * @throws Failure when the host cannot do what the spec asks (see {@link #check})
     */
    public static LaunchPlan plan(ContainerSpec spec, HostFacts facts, Prepared prepared) {
        requireKernel(spec, facts.kernel());
        if (spec.rootfs().isPresent() != prepared.rootfs().isPresent()) {
            throw new IllegalArgumentException("a root filesystem must be prepared exactly when the spec has one");
        }
        boolean joinsNetwork = spec.network().mode() instanceof NetworkMode.Joined;
        if (joinsNetwork != prepared.joinedNetwork().isPresent()) {
            throw new IllegalArgumentException("a network namespace must be opened exactly when the spec joins one");
        }
        if (spec.init() != prepared.init().isPresent()) {
            throw new IllegalArgumentException("an init must be found exactly when the spec asks for one");
        }
        if (spec.runAs().changes() != prepared.credentials().isPresent()) {
            throw new IllegalArgumentException("credentials must be looked up exactly when the spec changes them");
        }
        if (!(spec.containment().seccomp() instanceof SeccompProfile.Unconfined) != prepared.seccomp().isPresent()) {
            throw new IllegalArgumentException("a seccomp filter must be compiled exactly when the profile is not"
                    + " unconfined");
        }
        prepared.credentials().ifPresent(credentials -> CredentialSteps.check(spec, facts, credentials));
        ContainmentSteps.check(spec, facts);
        boolean gated = prepared.startGate().isPresent();
        List<Step> steps = new ArrayList<>();
        HandshakeSteps.leaveIsolatesState(facts.handledSignals(), spec.terminal(), steps);
        HandshakeSteps.armAndWait(!gated, steps);
        List<ParentStep> first = new ArrayList<>(parentSteps(spec, facts));
        first.addAll(TunableSteps.parentSteps(spec));
        List<Pause> pauses = new ArrayList<>(List.of(new Pause(first)));
        // Before the mounts, so that a fresh sysfs shows the joined namespace's interfaces.
        prepared.joinedNetwork().ifPresent(fd -> steps.add(Step.of(Call.SETNS, Check.SUCCESS,
                "enter " + ((NetworkMode.Joined) spec.network().mode()).description(),
                Arg.of(fd), Arg.of(CLONE_NEWNET))));
        NamespaceSteps.cgroup(spec, steps);
        NamespaceSteps.mounts(spec, prepared.rootfs(), prepared.cgroup(), steps);
        NamespaceSteps.others(spec, steps);
        TunableSteps.domainname(spec, steps);
        if (spec.terminal()) {
            // After pivot_root, from the container's devpts; before the change of ids (see TerminalSteps).
            TerminalSteps.open(spec, prepared.credentials(), steps);
            pauses.add(HandshakeSteps.pause(List.of(TerminalSteps.TAKE_MASTER), steps));
        }
        // As root of the container, as util-linux unshare and runc do: a directory that the
        // user of -S may not reach from / is still where the command starts.
        spec.workdir().ifPresent(dir -> steps.add(Step.of(Call.CHDIR, Check.SUCCESS,
                "chdir \"" + dir + "\"", Arg.of(dir))));
        ExecSteps.descriptors(ContainmentSteps.passedFds(spec, facts), steps);
        SeccompSteps.early(spec, facts, prepared.seccomp(), steps);
        TunableSteps.limits(spec, steps);
        ContainmentSteps.limit(spec, facts, steps);
        ContainmentSteps.keepAcrossIdChange(spec, steps);
        prepared.credentials().ifPresent(credentials -> CredentialSteps.steps(spec, facts, credentials, !gated,
                steps));
        ContainmentSteps.set(spec, facts, prepared.credentials(), steps);
        ContainmentSteps.noNewPrivileges(spec, steps);
        SeccompSteps.late(spec, prepared.seccomp(), steps);
        Map<String, String> environment = prepared.credentials()
                .map(credentials -> CredentialSteps.environment(spec.environment(), credentials))
                .orElse(spec.environment());
        prepared.startGate().ifPresent(fifo -> pauses.add(HandshakeSteps.startGate(fifo, steps)));
        if (prepared.init().isPresent()) {
            ExecSteps.execThrough(InitSteps.arguments(spec, prepared.init().get()), spec.command(), environment,
                    steps);
        } else {
            ExecSteps.exec(spec.command(), environment, steps);
        }
        // A gated child outlives isolate, so it may not run on isolate's memory: it gets a copy.
        return new LaunchPlan(cloneFlags(spec), !gated, steps, pauses);
    }

    /**
     * isolate exec. setns into a user or time namespace wants a process that shares nothing,
     * so the child copies isolate's memory instead of sharing it. The command takes on the
     * target's confinement, as docker exec does: otherwise it would be a more privileged
     * neighbour that the container's processes could ptrace.
     *
     * @param seccomp the target's filter, as isolate recorded it for a named container
     */
    public static LaunchPlan planJoin(JoinSpec spec, HostFacts facts, JoinTarget target,
            Optional<SocketFilter> seccomp) {
        return planJoin(spec, facts, target, seccomp, true);
    }

    /**
     * @param parentDeath arm the parent-death signal; not for a command left running when isolate
     *                    returns (an OCI runtime's exec -d), which the engine's subreaper reaps
     */
    public static LaunchPlan planJoin(JoinSpec spec, HostFacts facts, JoinTarget target,
            Optional<SocketFilter> seccomp, boolean parentDeath) {
        requireKernel(facts.kernel());
        if (!spec.privileged() && target.confinement().filtered() && seccomp.isEmpty()) {
            throw Failure.input("exec: the target runs under a seccomp filter that isolate has no record of (it is"
                    + " not a named container's, or its command added it); exec --privileged runs unfiltered");
        }
        List<Step> steps = new ArrayList<>();
        HandshakeSteps.leaveIsolatesState(facts.handledSignals(), false, steps);
        JoinSteps.enter(target, steps);
        HandshakeSteps.armAndWait(parentDeath, steps);
        JoinSteps.settle(spec, target, steps);
        TunableSteps.limits(spec.tunables(), steps);
        ExecSteps.descriptors(facts.passedFds(), steps);
        if (!spec.privileged()) {
            // As for a launch: the filter while the child still holds CAP_SYS_ADMIN, or after no_new_privs.
            SeccompSteps.join(target.confinement(), seccomp, true, steps);
            JoinSteps.confine(spec, target.confinement(), facts, steps);
            SeccompSteps.join(target.confinement(), seccomp, false, steps);
        }
        ExecSteps.exec(spec.command(), spec.environment(), steps);
        return new LaunchPlan(SIGCHLD, false, steps, List.of(new Pause(List.of())));
    }

    private static List<ParentStep> parentSteps(ContainerSpec spec, HostFacts facts) {
        return spec.user().map(ns -> IdMapSteps.steps(ns, facts)).orElse(List.of());
    }

    private static void requireKernel(KernelVersion kernel) {
        if (kernel.compareTo(MINIMUM_KERNEL) < 0) {
            throw Failure.input("Linux " + kernel + ": isolate needs Linux " + MINIMUM_KERNEL + " or later");
        }
    }

    private static void requireKernel(ContainerSpec spec, KernelVersion kernel) {
        requireKernel(kernel);
        if (spec.namespaces().contains(Namespace.TIME) && kernel.compareTo(TIME_NAMESPACE_KERNEL) < 0) {
            throw Failure.input("time namespace: needs Linux " + TIME_NAMESPACE_KERNEL
                    + " or later, for the command itself to enter it (this is " + kernel + ")");
        }
        if (spec.rootfs().isPresent() && kernel.compareTo(ROOTFS_KERNEL) < 0) {
            throw Failure.input("--rootfs: needs Linux " + ROOTFS_KERNEL + " or later (this is " + kernel + ")");
        }
    }

    static long cloneFlags(ContainerSpec spec) {
        long flags = SIGCHLD;
        for (Namespace ns : spec.namespaces()) {
            flags |= switch (ns) {
                // Created with the others in one clone, the user namespace owns them all, so the
                // child may set them up once the parent has written its id maps.
                case USER -> CLONE_NEWUSER;
                case MOUNT -> CLONE_NEWNS;
                case UTS -> CLONE_NEWUTS;
                case IPC -> CLONE_NEWIPC;
                case PID -> CLONE_NEWPID;
                case NET -> CLONE_NEWNET;
                // A cgroup namespace's root is the cgroup of whoever makes it: the child unshares
                // it once the parent has moved it into the container's own (see NamespaceSteps).
                case CGROUP -> 0;
                // clone() has no room for CLONE_NEWTIME (it collides with the exit signal bits),
                // and offsets must be written before anyone enters: the child unshares it.
                case TIME -> 0;
            };
        }
        return flags;
    }
}
