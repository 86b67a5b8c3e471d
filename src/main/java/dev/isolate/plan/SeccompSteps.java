package dev.isolate.plan;

import static dev.isolate.linux.Linux.*;

import dev.isolate.host.HostFacts;
import dev.isolate.host.join.JoinTarget;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Namespace;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.SocketFilter;
import dev.isolate.step.Step;
import java.util.List;
import java.util.Optional;

/**
 * The seccomp filter, installed by the child as one system call. The kernel takes a filter
 * from a task that has CAP_SYS_ADMIN in its user namespace or has set no_new_privs. Without
 * no_new_privs the filter goes in while the child still holds every capability, right before
 * they are reduced; with it, last, right before execve (runc's order), so that as few of the
 * child's own steps as possible run under it. Everything after the filter is allowed by any
 * profile that lets the command start at all (prctl, capset, setresuid, execve...).
 */
final class SeccompSteps {
    private SeccompSteps() {
    }

    /** Whether the filter is installed early: no no_new_privs, so it needs CAP_SYS_ADMIN. */
    static boolean beforeCapabilities(ContainerSpec spec) {
        return !spec.containment().noNewPrivileges();
    }

    /**
     * Before the capabilities are reduced, when no_new_privs is not asked for. Without a new user
     * namespace, a caller without CAP_SYS_ADMIN gives the child none, so the child sets
     * no_new_privs itself first, as bubblewrap does: a filter must never be left out.
     */
    static void early(ContainerSpec spec, HostFacts facts, Optional<SocketFilter> filter, List<Step> steps) {
        if (filter.isEmpty() || !beforeCapabilities(spec)) {
            return;
        }
        if (!holdsSysAdmin(spec, facts)) {
            ContainmentSteps.noNewPrivileges("set no_new_privs: without a user namespace of its own and without"
                    + " CAP_SYS_ADMIN, the child may install a seccomp filter only so", steps);
        }
        steps.add(install(filter.get()));
    }

    /** After no_new_privs, right before execve, when no_new_privs is asked for. */
    static void late(ContainerSpec spec, Optional<SocketFilter> filter, List<Step> steps) {
        if (filter.isPresent() && !beforeCapabilities(spec)) {
            steps.add(install(filter.get()));
        }
    }

    /** isolate exec: the target's filter, installed where a launch would install it. */
    static void join(JoinTarget.Confinement confinement, Optional<SocketFilter> filter, boolean early,
            List<Step> steps) {
        if (filter.isPresent() && early != confinement.noNewPrivileges()) {
            steps.add(install(filter.get()));
        }
    }

    private static Step install(SocketFilter filter) {
        return Step.of(Call.SECCOMP, Check.SUCCESS, "install the seccomp filter (" + filter.length()
                + " BPF instructions)", Arg.of(SECCOMP_SET_MODE_FILTER), Arg.of(0), new Arg.Program(filter));
    }

    /** A new user namespace gives its creator every capability in it; otherwise the caller's own count. */
    private static boolean holdsSysAdmin(ContainerSpec spec, HostFacts facts) {
        return spec.namespaces().contains(Namespace.USER) || facts.caller().canCreate();
    }
}
