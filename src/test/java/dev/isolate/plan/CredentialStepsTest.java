package dev.isolate.plan;

import static dev.isolate.linux.Linux.PR_SET_PDEATHSIG;
import static dev.isolate.linux.Linux.SIGKILL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.Fixtures;
import dev.isolate.exit.Failure;
import dev.isolate.host.HostFacts;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Credentials;
import dev.isolate.spec.RunAs;
import dev.isolate.spec.UserNamespace;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.LaunchPlan;
import dev.isolate.step.Step;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** -S, -G and --group-add in the plan: where the steps go, what they pass, what is refused before. */
class CredentialStepsTest {
    private static final HostFacts ROOT = Fixtures.facts().passedFds(7).build();
    /** Without privilege and without helpers: only the caller's own ids, and setgroups denied. */
    private static final HostFacts ALICE = Fixtures.facts().caller(Fixtures.USER).build();
    private static final RunAs NOBODY = new RunAs(Optional.of("nobody"), Optional.empty(), List.of(), true);
    private static final Credentials NOBODY_IDS = new Credentials(OptionalLong.of(65534), OptionalLong.of(65534),
            List.of(), Optional.of("/nonexistent"));

    private static LaunchPlan plan(ContainerSpec spec, HostFacts facts, Credentials credentials) {
        return Planner.plan(spec, facts, new Prepared(Optional.empty(), OptionalInt.empty(), Optional.of(credentials), Optional.empty(), Optional.empty(), List.of(), OptionalInt.empty()));
    }

    private static List<Call> calls(LaunchPlan plan) {
        return plan.childSteps().stream().map(Step::call).toList();
    }

    private static Step first(LaunchPlan plan, Call call) {
        return plan.childSteps().stream().filter(s -> s.call() == call).findFirst().orElseThrow();
    }

    @Test
    void descriptorsThenGroupsThenGidThenUidAfterTheWorkdirThenTheDeathSignalAgainThenExec() {
        ContainerSpec spec = Fixtures.spec().workdir("/srv").runAs(NOBODY).command("/bin/id").build();
        LaunchPlan plan = plan(spec, ROOT, NOBODY_IDS);
        List<Call> calls = calls(plan);
        int chdir = calls.indexOf(Call.CHDIR);
        assertEquals(List.of(Call.CHDIR, Call.CLOSE_RANGE, Call.FCNTL, Call.SETGROUPS, Call.SETRESGID, Call.SETRESUID,
                Call.PRCTL, Call.EXECVE), calls.subList(chdir, calls.size()));
        assertEquals(List.of(Arg.of(0), Arg.NULL), first(plan, Call.SETGROUPS).args(), "groups are cleared");
        assertEquals("clear the supplementary groups", first(plan, Call.SETGROUPS).what());
        assertEquals(List.of(Arg.of(65534), Arg.of(65534), Arg.of(65534)), first(plan, Call.SETRESGID).args());
        assertEquals(List.of(Arg.of(65534), Arg.of(65534), Arg.of(65534)), first(plan, Call.SETRESUID).args());
        assertEquals("become uid 65534", first(plan, Call.SETRESUID).what());
        Step rearm = plan.childSteps().get(chdir + 6);
        assertEquals(List.of(Arg.of(PR_SET_PDEATHSIG), Arg.of(SIGKILL)), rearm.args(),
                "the kernel cleared the parent-death signal when the ids changed");
        assertTrue(plan.childSteps().stream().filter(s -> s.call() != Call.EXECVE).allMatch(s -> s.check()
                .equals(Check.SUCCESS) || s.call() == Call.WRITE || s.call() == Call.READ));
    }

    @Test
    void homeBecomesTheUsersInPlaceAndOnlyWhenAsked() {
        ContainerSpec spec = Fixtures.spec().runAs(NOBODY).environment(Map.of("HOME", "/root")).command("/bin/id")
                .build();
        assertEquals(new Arg.CStringArray(List.of("HOME=/nonexistent")),
                first(plan(spec, ROOT, NOBODY_IDS), Call.EXECVE).args().get(2));
        Credentials keepHome = new Credentials(OptionalLong.of(65534), OptionalLong.of(65534), List.of(),
                Optional.empty());
        assertEquals(new Arg.CStringArray(List.of("HOME=/root")),
                first(plan(spec, ROOT, keepHome), Call.EXECVE).args().get(2));
    }

    @Test
    void addedGroupsArePassedAsGidTAndAloneChangeNoId() {
        RunAs extra = new RunAs(Optional.empty(), Optional.empty(), List.of("27", "users"), false);
        ContainerSpec spec = Fixtures.spec().runAs(extra).build();
        LaunchPlan plan = plan(spec, ROOT, new Credentials(OptionalLong.empty(), OptionalLong.empty(),
                List.of(27L, 100L), Optional.empty()));
        Step setgroups = first(plan, Call.SETGROUPS);
        byte[] gids = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(27).putInt(100).array();
        assertEquals(List.of(Arg.of(2), new Arg.Bytes(gids)), setgroups.args());
        assertEquals("set the supplementary groups to 27,100", setgroups.what());
        assertFalse(calls(plan).contains(Call.SETRESGID));
        assertFalse(calls(plan).contains(Call.SETRESUID));
        assertEquals(1, calls(plan).stream().filter(c -> c == Call.PRCTL).count(), "ids unchanged: armed once");
    }

    @Test
    void aNumberNotMappedInsideIsRefusedBeforeAnythingIsPrepared() {
        ContainerSpec spec = Fixtures.spec().user(UserNamespace.rootMapping(1000, 1000, true))
                .runAs(new RunAs(Optional.of("1"), Optional.empty(), List.of(), true)).build();
        Failure refused = assertThrows(Failure.class, () -> Planner.check(spec, ALICE, Optional.empty()));
        assertEquals(Failure.Kind.INPUT, refused.kind());
        assertEquals("-S 1: uid 1 is not mapped in the container's user namespace, which maps uids 0"
                + " (see --map-users, --map-groups and --map-auto)", refused.getMessage());
        ContainerSpec group = Fixtures.spec().user(UserNamespace.rootMapping(1000, 1000, true))
                .runAs(new RunAs(Optional.empty(), Optional.of("5"), List.of(), false)).build();
        assertTrue(assertThrows(Failure.class, () -> Planner.check(group, ALICE, Optional.empty())).getMessage()
                .startsWith("-G 5: gid 5 is not mapped"));
        ContainerSpec named = Fixtures.spec().user(UserNamespace.rootMapping(1000, 1000, true)).runAs(NOBODY).build();
        Planner.check(named, ALICE, Optional.empty()); // a name is known only once it is looked up
    }

    @Test
    void aNameThatBecomesAnUnmappedIdIsRefusedWhenPlanned() {
        ContainerSpec spec = Fixtures.spec().user(UserNamespace.rootMapping(1000, 1000, true)).runAs(NOBODY).build();
        assertEquals("-S nobody: uid 65534 is not mapped in the container's user namespace, which maps uids 0"
                + " (see --map-users, --map-groups and --map-auto)",
                assertThrows(Failure.class, () -> plan(spec, ALICE, NOBODY_IDS)).getMessage());
        Credentials primaryOnly = new Credentials(OptionalLong.of(0), OptionalLong.of(65534), List.of(),
                Optional.of("/"));
        assertTrue(assertThrows(Failure.class, () -> Planner.check(spec, ALICE, Optional.of(primaryOnly)))
                .getMessage().startsWith("-S nobody: primary gid 65534 is not mapped"));
    }

    @Test
    void whereSetgroupsIsDeniedGroupsAreLeftAloneAndAddingOneIsRefused() {
        ContainerSpec root = Fixtures.spec().user(UserNamespace.rootMapping(1000, 1000, true))
                .runAs(new RunAs(Optional.of("0"), Optional.of("0"), List.of(), true)).build();
        LaunchPlan plan = plan(root, ALICE, new Credentials(OptionalLong.of(0), OptionalLong.of(0), List.of(),
                Optional.of("/root")));
        assertFalse(calls(plan).contains(Call.SETGROUPS), "setgroups would fail: the kernel denies it");
        assertTrue(calls(plan).contains(Call.SETRESUID));
        ContainerSpec extra = Fixtures.spec().user(UserNamespace.rootMapping(1000, 1000, true))
                .runAs(new RunAs(Optional.empty(), Optional.empty(), List.of("0"), false)).build();
        assertEquals("--group-add: setgroups(2) is denied in the container's user namespace (the kernel's rule"
                + " when an unprivileged caller maps only its own gid; map groups with --map-groups or --map-auto)",
                assertThrows(Failure.class, () -> Planner.check(extra, ALICE, Optional.empty())).getMessage());
        ContainerSpec denied = Fixtures.spec().user(new UserNamespace(List.of(new dev.isolate.spec.IdMapping(0, 0, 10)),
                List.of(new dev.isolate.spec.IdMapping(0, 0, 10)), false, false))
                .runAs(new RunAs(Optional.empty(), Optional.empty(), List.of("0"), false)).build();
        assertTrue(assertThrows(Failure.class, () -> Planner.check(denied, ROOT, Optional.empty())).getMessage()
                .endsWith("(--setgroups deny)"));
    }

    @Test
    void withoutPrivilegeIdsChangeOnlyInANewUserNamespace() {
        ContainerSpec none = Fixtures.spec().runAs(new RunAs(Optional.of("0"), Optional.empty(), List.of(), true))
                .build();
        assertEquals("-S, -G, --group-add: changing ids needs CAP_SETUID and CAP_SETGID: run isolate as root,"
                + " or in a new user namespace (-U)",
                assertThrows(Failure.class, () -> Planner.check(none, ALICE, Optional.empty())).getMessage());
        Planner.check(none, ROOT, Optional.empty());
    }

    @Test
    void credentialsComeExactlyWithOptionsThatAskForThem() {
        assertThrows(IllegalArgumentException.class, () -> Planner.plan(Fixtures.spec().runAs(NOBODY).build(), ROOT,
                Prepared.NOTHING));
        assertThrows(IllegalArgumentException.class, () -> plan(Fixtures.spec().build(), ROOT, NOBODY_IDS));
    }
}
