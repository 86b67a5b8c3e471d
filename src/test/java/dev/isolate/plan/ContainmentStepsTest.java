package dev.isolate.plan;

import static dev.isolate.linux.Linux.PR_CAPBSET_DROP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.Fixtures;
import dev.isolate.exit.Failure;
import dev.isolate.host.HostFacts;
import dev.isolate.spec.Capability;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Containment;
import dev.isolate.spec.Credentials;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.RunAs;
import dev.isolate.spec.SeccompProfile;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.LaunchPlan;
import dev.isolate.step.SocketFilter;
import dev.isolate.step.Step;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContainmentStepsTest {
    private static final HostFacts FACTS = Fixtures.facts().passedFds(5, 9).build();

    private static Containment contained(String... changes) {
        return Containment.of(true, false, List.of(changes).stream()
                .map(c -> Containment.CapabilityChange.parse(c.startsWith("+"), c.substring(1))).toList(),
                List.of(), OptionalInt.empty());
    }

    private static LaunchPlan plan(ContainerSpec spec, HostFacts facts, Optional<Credentials> credentials) {
        return Planner.plan(spec, facts, new Prepared(Optional.empty(), OptionalInt.empty(), credentials,
                spec.containment().seccomp() instanceof SeccompProfile.Unconfined ? Optional.empty()
                        : Optional.of(new SocketFilter(new byte[SocketFilter.INSTRUCTION_SIZE])), Optional.empty(),
                List.of(), OptionalInt.empty()));
    }

    private static List<Call> calls(LaunchPlan plan) {
        return plan.childSteps().stream().map(Step::call).toList();
    }

    /** The effective word of capset's data: both halves. */
    private static long capsetMask(LaunchPlan plan) {
        Step capset = plan.childSteps().stream().filter(s -> s.call() == Call.CAPSET).findFirst().orElseThrow();
        ByteBuffer data = ByteBuffer.wrap(((Arg.Bytes) capset.args().get(1)).value()).order(ByteOrder.nativeOrder());
        long low = Integer.toUnsignedLong(data.getInt(0));
        long high = Integer.toUnsignedLong(data.getInt(12));
        assertEquals(low, Integer.toUnsignedLong(data.getInt(4)), "permitted as effective");
        assertEquals(low, Integer.toUnsignedLong(data.getInt(8)), "inheritable as effective");
        return low | high << 32;
    }

    private static List<Long> dropped(LaunchPlan plan) {
        return plan.childSteps().stream().filter(s -> s.call() == Call.PRCTL
                && s.args().get(0).equals(Arg.of(PR_CAPBSET_DROP)))
                .map(s -> ((Arg.Value) s.args().get(1)).value()).toList();
    }

    @Test
    void theBoundingSetShrinksBeforeTheIdsChangeAndTheOtherSetsAfter() {
        ContainerSpec spec = Fixtures.spec().containment(contained())
                .runAs(new RunAs(Optional.of("0"), Optional.empty(), List.of(), false)).command("/bin/sh").build();
        LaunchPlan plan = plan(spec, FACTS, Optional.of(new Credentials(OptionalLong.of(0), OptionalLong.of(0),
                List.of(), Optional.empty())));
        List<Call> calls = calls(plan);
        assertTrue(calls.lastIndexOf(Call.PRCTL) > calls.indexOf(Call.SETRESUID), "the death signal re-armed");
        assertEquals("clear the ambient capabilities", plan.childSteps().get(calls.indexOf(Call.SETGROUPS) - 1).what(),
                "just before the ids change");
        assertTrue(calls.indexOf(Call.CAPSET) > calls.indexOf(Call.SETRESUID));
        assertEquals(0xa00425fbL, capsetMask(plan));
        assertEquals(41 - Capability.CONTAINED.size(), dropped(plan).size());
        assertFalse(dropped(plan).contains((long) Capability.SETPCAP.ordinal()), "SETPCAP is kept");
    }

    @Test
    void aUserOtherThanRootStartsWithNoCapabilities() {
        ContainerSpec spec = Fixtures.spec().containment(contained())
                .runAs(new RunAs(Optional.of("1000"), Optional.empty(), List.of(), false)).command("/bin/sh").build();
        LaunchPlan plan = plan(spec, FACTS, Optional.of(new Credentials(OptionalLong.of(1000), OptionalLong.of(1000),
                List.of(), Optional.empty())));
        assertEquals(0, capsetMask(plan));
        assertEquals(41 - Capability.CONTAINED.size(), dropped(plan).size(), "the bounding set is the container's");
    }

    @Test
    void withoutANewUserNamespaceOnlyIsolatesOwnCapabilitiesCanBeGiven() {
        HostFacts noSysResource = Fixtures.facts().boundingSet(((1L << 41) - 1) & ~Capability.SYS_RESOURCE.bit())
                .build();
        ContainerSpec all = Fixtures.spec().containment(contained("+ALL")).command("/bin/sh").build();
        assertEquals(((1L << 41) - 1) & ~Capability.SYS_RESOURCE.bit(), capsetMask(plan(all, noSysResource,
                Optional.empty())), "ALL is what isolate has");
        ContainerSpec named = Fixtures.spec().containment(contained("+SYS_RESOURCE")).command("/bin/sh").build();
        assertEquals("--cap-add SYS_RESOURCE: isolate does not hold CAP_SYS_RESOURCE (its bounding set lacks it), so"
                + " it cannot give it", assertThrows(Failure.class, () -> plan(named, noSysResource,
                Optional.empty())).getMessage());
        ContainerSpec inUserNamespace = Fixtures.spec().namespaces(Namespace.USER)
                .containment(contained("+SYS_RESOURCE")).command("/bin/sh").build();
        HostFacts user = Fixtures.facts().caller(Fixtures.USER).boundingSet(((1L << 41) - 1)
                & ~Capability.SYS_RESOURCE.bit()).build();
        assertTrue((capsetMask(plan(inUserNamespace, user, Optional.empty()))
                & Capability.SYS_RESOURCE.bit()) != 0, "a new user namespace's creator holds every capability in it");
    }

    @Test
    void unchangedCapabilitiesPlanNothing() {
        LaunchPlan plan = plan(Fixtures.spec().command("/bin/true").build(), FACTS, Optional.empty());
        assertFalse(calls(plan).contains(Call.CAPSET));
        assertTrue(dropped(plan).isEmpty());
    }

    @Test
    void descriptorsFollowTheModeOrPreserveFds() {
        ContainerSpec host = Fixtures.spec().command("/bin/true").build();
        assertEquals(Set.of(5, 9), ContainmentSteps.passedFds(host, FACTS), "without -R: what the caller passed");
        ContainerSpec preserved = Fixtures.spec().containment(Containment.of(false, false, List.of(), List.of(),
                OptionalInt.of(3))).command("/bin/true").build();
        HostFacts open = Fixtures.facts().passedFds(3, 4, 5, 9).build();
        assertEquals(Set.of(3, 4, 5), ContainmentSteps.passedFds(preserved, open));
        assertEquals("--preserve-fds 3: descriptors 3, 4 are not open in isolate's caller",
                assertThrows(Failure.class, () -> plan(preserved, FACTS, Optional.empty())).getMessage());
    }

    @Test
    void noNewPrivilegesComesLast() {
        ContainerSpec spec = Fixtures.spec().containment(Containment.of(true, false, List.of(),
                List.of("no-new-privileges"), OptionalInt.empty())).command("/bin/true").build();
        List<Step> steps = plan(spec, FACTS, Optional.empty()).childSteps();
        assertEquals("set no_new_privs", steps.get(steps.size() - 3).what());
        assertEquals(Call.SECCOMP, steps.get(steps.size() - 2).call(), "only the filter comes after it");
    }
}
