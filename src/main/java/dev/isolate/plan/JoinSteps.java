package dev.isolate.plan;

import static dev.isolate.linux.Linux.CLONE_PARENT;
import static dev.isolate.linux.Linux.PR_SET_KEEPCAPS;
import static dev.isolate.linux.Linux.SIGCHLD;

import dev.isolate.host.HostFacts;
import dev.isolate.host.join.JoinTarget;
import dev.isolate.spec.JoinSpec;
import dev.isolate.spec.Capability;
import dev.isolate.spec.CapabilitySets;
import dev.isolate.spec.Namespace;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.Step;
import java.util.ArrayList;
import java.util.List;

/**
 * isolate exec's steps: the child enters the target's namespaces as nsenter does, user
 * namespace first (it grants the rights for the others), PID namespace last. setns(CLONE_NEWPID)
 * only places the caller's children, so the child then clones once more, with CLONE_PARENT so
 * that the command is isolate's own child, and leaves.
 */
final class JoinSteps {
    private static final List<Namespace> ORDER = List.of(Namespace.USER, Namespace.MOUNT, Namespace.UTS,
            Namespace.IPC, Namespace.NET, Namespace.CGROUP, Namespace.TIME, Namespace.PID);

    private JoinSteps() {
    }

    /** Into the namespaces, and into a process of the PID namespace when it is one of them. */
    static void enter(JoinTarget target, List<Step> steps) {
        List<Namespace> order = new ArrayList<>(ORDER);
        order.retainAll(target.namespaceFds().keySet());
        for (Namespace type : order) {
            steps.add(Step.of(Call.SETNS, Check.SUCCESS, "enter the " + type.procName() + " namespace",
                    Arg.of(target.namespaceFds().get(type)), Arg.of(0)));
        }
        if (target.namespaceFds().containsKey(Namespace.PID)) {
            steps.add(Step.of(Call.CLONE, Check.CLONED, "start a process in the PID namespace",
                    Arg.of(CLONE_PARENT | SIGCHLD), Arg.NULL, Arg.NULL, Arg.NULL, Arg.NULL));
        }
    }

    /**
     * The target's bounding set as the command's every set (it runs as root of the target's
     * user namespace, or as the host's root), and its no_new_privs.
     */
    static void confine(JoinSpec spec, JoinTarget.Confinement confinement, HostFacts facts, List<Step> steps) {
        long kept = confinement.boundingSet() & facts.knownCapabilities();
        if (spec.capabilities().isPresent()) {
            // An OCI runtime's exec process: its own sets, never beyond the container's bounding set.
            CapabilitySets sets = spec.capabilities().get();
            ContainmentSteps.limit(Capability.mask(sets.bounding()) & kept, facts, steps);
            boolean changesIds = spec.credentials().filter(ids -> ids.uid().isPresent()).isPresent();
            if (changesIds && !sets.permitted().isEmpty()) {
                steps.add(Step.of(Call.PRCTL, Check.SUCCESS, "keep the permitted capabilities across the change of ids",
                        Arg.of(PR_SET_KEEPCAPS), Arg.of(1), Arg.of(0), Arg.of(0), Arg.of(0)));
            }
            spec.credentials().ifPresent(ids -> CredentialSteps.ids(ids, !facts.setgroupsDenied(), steps));
            ContainmentSteps.set(Capability.mask(sets.effective()) & kept, Capability.mask(sets.permitted()) & kept,
                    Capability.mask(sets.inheritable()) & kept, sets.ambient(), steps);
        } else {
            spec.credentials().ifPresent(ids -> CredentialSteps.ids(ids, !facts.setgroupsDenied(), steps));
            if (kept != facts.knownCapabilities()) {
                ContainmentSteps.limit(kept, facts, steps);
                ContainmentSteps.set(kept, steps);
            }
        }
        if (confinement.noNewPrivileges()) {
            ContainmentSteps.noNewPrivileges("set no_new_privs", steps);
        }
    }

    /** Root of the user namespace, then the target's root and working directory (or -w). */
    static void settle(JoinSpec spec, JoinTarget target, List<Step> steps) {
        if (target.namespaceFds().containsKey(Namespace.USER)) {
            // As nsenter: become root of the user namespace, whose rights the steps above used.
            steps.add(Step.of(Call.SETGROUPS, Check.IGNORE, "drop supplementary groups", Arg.of(0), Arg.NULL));
            steps.add(Step.of(Call.SETRESGID, Check.SUCCESS, "become gid 0 in the user namespace",
                    Arg.of(0), Arg.of(0), Arg.of(0)));
            steps.add(Step.of(Call.SETRESUID, Check.SUCCESS, "become uid 0 in the user namespace",
                    Arg.of(0), Arg.of(0), Arg.of(0)));
        }
        target.rootFd().ifPresent(fd -> {
            steps.add(Step.of(Call.FCHDIR, Check.SUCCESS, "enter the target's root", Arg.of(fd)));
            steps.add(Step.of(Call.CHROOT, Check.SUCCESS, "make it the root", Arg.of(".")));
        });
        if (spec.workdir().isPresent()) {
            String dir = spec.workdir().get();
            steps.add(Step.of(Call.CHDIR, Check.SUCCESS, "chdir \"" + dir + "\"", Arg.of(dir)));
        } else {
            target.cwdFd().ifPresent(fd -> steps.add(Step.of(Call.FCHDIR, Check.SUCCESS,
                    "enter the target's working directory", Arg.of(fd))));
        }
    }
}
