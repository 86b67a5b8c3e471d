package dev.isolate.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.Fixtures;
import dev.isolate.host.HostFacts;
import dev.isolate.spec.Containment;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.SeccompProfile;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.LaunchPlan;
import dev.isolate.step.SocketFilter;
import dev.isolate.step.Step;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Where the seccomp filter goes among the child's steps, and when no_new_privs comes with it. */
class SeccompStepsTest {
    private static final SocketFilter FILTER = new SocketFilter(new byte[5 * SocketFilter.INSTRUCTION_SIZE]);
    private static final Prepared FILTERED = new Prepared(Optional.empty(), OptionalInt.empty(), Optional.empty(),
            Optional.of(FILTER), Optional.empty(), List.of(), OptionalInt.empty());

    private static ContainerSpec spec(boolean noNewPrivileges, Set<Namespace> namespaces) {
        Containment containment = Containment.of(false, false, List.of(new Containment.CapabilityChange(false,
                Optional.empty())), noNewPrivileges ? List.of("seccomp=default", "no-new-privileges")
                : List.of("seccomp=default"), OptionalInt.empty());
        return Fixtures.spec().namespaces(namespaces).containment(containment).command("/bin/true").build();
    }

    private static List<String> described(LaunchPlan plan) {
        return plan.childSteps().stream().map(Step::what).toList();
    }

    private static int index(LaunchPlan plan, Call call) {
        List<Call> calls = plan.childSteps().stream().map(Step::call).toList();
        assertTrue(calls.contains(call), call + " in " + calls);
        return calls.indexOf(call);
    }

    private static int indexOf(LaunchPlan plan, String description) {
        List<String> steps = described(plan);
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).startsWith(description)) {
                return i;
            }
        }
        throw new AssertionError(description + " not in " + steps);
    }

    @Test
    void withoutNoNewPrivsTheFilterGoesInBeforeTheCapabilitiesAreReduced() {
        HostFacts root = Fixtures.facts().caller(Fixtures.ROOT).build();
        LaunchPlan plan = Planner.plan(spec(false, Set.of()), root, FILTERED);
        int filter = index(plan, Call.SECCOMP);
        assertTrue(filter < indexOf(plan, "drop capability"), described(plan).toString());
        assertTrue(filter < index(plan, Call.CAPSET));
        assertTrue(filter > index(plan, Call.CLOSE_RANGE), "after the descriptors");
        assertFalse(described(plan).stream().anyMatch(d -> d.contains("no_new_privs")), "root holds CAP_SYS_ADMIN");
        Step step = plan.childSteps().get(filter);
        assertEquals(List.of(Arg.of(1), Arg.of(0), new Arg.Program(FILTER)), step.args());
        assertEquals("install the seccomp filter (5 BPF instructions)", step.what());
    }

    @Test
    void withNoNewPrivsTheFilterGoesInLastBeforeExecve() {
        LaunchPlan plan = Planner.plan(spec(true, Set.of()), Fixtures.facts().caller(Fixtures.ROOT).build(), FILTERED);
        int filter = index(plan, Call.SECCOMP);
        assertEquals(indexOf(plan, "set no_new_privs") + 1, filter);
        assertEquals(Call.EXECVE, plan.childSteps().get(filter + 1).call());
        assertTrue(filter > index(plan, Call.CAPSET));
    }

    @Test
    void aChildWithoutCapSysAdminSetsNoNewPrivsItselfFirst() {
        LaunchPlan plan = Planner.plan(spec(false, Set.of()), Fixtures.facts().caller(Fixtures.USER).build(),
                FILTERED);
        int filter = index(plan, Call.SECCOMP);
        assertTrue(described(plan).get(filter - 1).startsWith("set no_new_privs: without a user namespace"),
                described(plan).toString());
        assertEquals(Call.PRCTL, plan.childSteps().get(filter - 1).call());
    }

    @Test
    void aNewUserNamespaceGivesTheChildCapSysAdmin() {
        LaunchPlan plan = Planner.plan(spec(false, Set.of(Namespace.USER)),
                Fixtures.facts().caller(Fixtures.USER).build(), FILTERED);
        index(plan, Call.SECCOMP);
        assertFalse(described(plan).stream().anyMatch(d -> d.contains("no_new_privs")));
    }

    @Test
    void aFilterIsPreparedExactlyWhenTheProfileIsNotUnconfined() {
        HostFacts facts = Fixtures.facts().caller(Fixtures.ROOT).build();
        assertThrows(IllegalArgumentException.class, () -> Planner.plan(spec(false, Set.of()), facts,
                Prepared.NOTHING));
        ContainerSpec unconfined = Fixtures.spec().command("/bin/true").build();
        assertTrue(unconfined.containment().seccomp() instanceof SeccompProfile.Unconfined);
        assertThrows(IllegalArgumentException.class, () -> Planner.plan(unconfined, facts, FILTERED));
        assertFalse(Planner.plan(unconfined, facts, Prepared.NOTHING).childSteps().stream()
                .anyMatch(step -> step.call() == Call.SECCOMP));
    }
}
