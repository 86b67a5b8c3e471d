package dev.isolate.plan;

import static dev.isolate.linux.Linux.AT_FDCWD;
import static dev.isolate.linux.Linux.O_CLOEXEC;
import static dev.isolate.linux.Linux.O_NOCTTY;
import static dev.isolate.linux.Linux.O_RDWR;
import static dev.isolate.linux.Linux.TIOCGPTPEER;
import static dev.isolate.linux.Linux.TIOCSCTTY;
import static dev.isolate.linux.Linux.TIOCSPTLCK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.Fixtures;
import dev.isolate.host.HostFacts;
import dev.isolate.host.rootfs.RootfsLayout;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Credentials;
import dev.isolate.spec.RootFilesystem;
import dev.isolate.spec.RunAs;
import dev.isolate.spec.UserNamespace;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.Handshake;
import dev.isolate.step.LaunchPlan;
import dev.isolate.step.ParentStep;
import dev.isolate.step.Pause;
import dev.isolate.step.Step;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** -t in the plan: the terminal's steps, where they go, and the pause at which the parent takes the master. */
class TerminalStepsTest {
    private static final HostFacts FACTS = Fixtures.facts().build();
    private static final RootfsLayout BUSYBOX = new RootfsLayout("/images/busybox", false, Optional.empty(),
            List.of(), Set.of(), List.of(), Set.of(), Set.of());
    private static final RootFilesystem IMAGE = new RootFilesystem("/images/busybox", false, Optional.empty(), List.of());
    private static final RunAs NOBODY = new RunAs(Optional.of("nobody"), Optional.empty(), List.of(), true);
    private static final Credentials NOBODY_IDS = new Credentials(OptionalLong.of(65534), OptionalLong.of(65534),
            List.of(), Optional.of("/nonexistent"));

    /** The terminal's steps, from the opening of /dev/ptmx to the pause, as the child makes them. */
    private static final List<Call> TERMINAL = List.of(Call.OPENAT, Call.IOCTL, Call.IOCTL, Call.SETSID, Call.IOCTL,
            Call.DUP3, Call.DUP3, Call.DUP3, Call.DUP3, Call.WRITE, Call.READ);

    private static LaunchPlan plan(ContainerSpec spec, Optional<RootfsLayout> rootfs, Optional<Credentials> credentials) {
        return Planner.plan(spec, FACTS, new Prepared(rootfs, OptionalInt.empty(), credentials, Optional.empty(),
                Optional.empty(), List.of(), OptionalInt.empty()));
    }

    private static List<Call> calls(LaunchPlan plan) {
        return plan.childSteps().stream().map(Step::call).toList();
    }

    private static int indexOf(LaunchPlan plan, String what) {
        List<Step> steps = plan.childSteps();
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).what().equals(what)) {
                return i;
            }
        }
        throw new AssertionError("no step \"" + what + "\" in " + steps.stream().map(Step::what).toList());
    }

    @Test
    void inARootFilesystemTheTerminalComesFromTheContainersPtmxAfterPivotRoot() {
        LaunchPlan plan = plan(Fixtures.spec().rootfs(IMAGE).terminal().command("sh").build(), Optional.of(BUSYBOX),
                Optional.empty());
        int open = indexOf(plan, "open the container's /dev/ptmx");
        assertTrue(open > indexOf(plan, "pivot_root into the root filesystem"), "the container's devpts, not the host's");
        assertEquals(TERMINAL, calls(plan).subList(open, open + TERMINAL.size()));
        assertEquals(Call.CLOSE_RANGE, calls(plan).get(open + TERMINAL.size()), "then the descriptors, ids and exec");
        List<Step> steps = plan.childSteps();
        assertEquals(List.of(Arg.of(AT_FDCWD), Arg.of("/dev/ptmx"),
                Arg.of(O_RDWR | O_NOCTTY | O_CLOEXEC)), steps.get(open).args());
        assertEquals(Optional.of(Slots.TERMINAL_MASTER), steps.get(open).saveIn());
        assertEquals(List.of(Arg.of(Slots.TERMINAL_MASTER), Arg.of(TIOCSPTLCK), new Arg.Bytes(new byte[4])),
                steps.get(open + 1).args(), "unlocked: *arg = 0");
        assertEquals(Arg.of(TIOCGPTPEER), steps.get(open + 2).args().get(1));
        assertEquals(Optional.of(Slots.TERMINAL_PEER), steps.get(open + 2).saveIn());
        assertEquals(List.of(Arg.of(Slots.TERMINAL_PEER), Arg.of(TIOCSCTTY), Arg.of(0)), steps.get(open + 4).args(),
                "the controlling terminal of the session setsid just made");
        for (int fd = 0; fd <= 2; fd++) {
            Step dup = steps.get(open + 5 + fd);
            assertEquals(List.of(Arg.of(Slots.TERMINAL_PEER), Arg.of(fd), Arg.of(0)), dup.args(), "inherited by the command");
            assertEquals(Check.exactly(fd), dup.check());
        }
        assertEquals(List.of(Arg.of(Slots.TERMINAL_MASTER), Arg.of(Handshake.End.REPORT_READ), Arg.of(O_CLOEXEC)),
                steps.get(open + 8).args(), "the master where the parent takes it, closed at exec");
        assertEquals(List.of(Arg.of(Handshake.End.REPORT_WRITE), new Arg.Bytes(longBytes(LaunchPlan.PAUSED)),
                Arg.of(8)), steps.get(open + 9).args());
        assertEquals(Arg.of(Handshake.End.RELEASE_READ), steps.get(open + 10).args().get(0));
        assertEquals(List.of(new Pause(List.of()), new Pause(List.of(new ParentStep.TakeDescriptor(
                Handshake.End.REPORT_READ, "take the terminal's master from the child")))), plan.pauses());
    }

    @Test
    void theChildKeepsItsCopyOfTheReportPipesReadEndUntilTheMasterTakesItsNumber() {
        LaunchPlan plan = plan(Fixtures.spec().terminal().command("sh").build(), Optional.empty(), Optional.empty());
        List<Arg> closed = plan.childSteps().stream().filter(s -> s.call() == Call.CLOSE).map(s -> s.args().get(0)).toList();
        assertEquals(List.of(Arg.of(Handshake.End.RELEASE_WRITE)), closed);
        LaunchPlan without = plan(Fixtures.spec().command("sh").build(), Optional.empty(), Optional.empty());
        assertEquals(Arg.of(Handshake.End.REPORT_READ), without.childSteps().get(0).args().get(0));
        assertFalse(calls(without).contains(Call.SETSID));
        assertFalse(calls(without).contains(Call.DUP3));
        assertEquals(1, without.pauses().size(), "the handshake alone");
    }

    @Test
    void withoutARootFilesystemItIsTheHostsPtmxRightAfterTheHandshake() {
        LaunchPlan plan = plan(Fixtures.spec().terminal().command("sh").build(), Optional.empty(), Optional.empty());
        int open = indexOf(plan, "open /dev/ptmx");
        assertEquals(indexOf(plan, "wait for the parent (it exited)") + 1, open);
        assertEquals(TERMINAL, calls(plan).subList(open, open + TERMINAL.size()));
    }

    @Test
    void theTerminalIsGivenToTheUserOfDashSBeforeTheIdsChange() {
        ContainerSpec spec = Fixtures.spec().rootfs(IMAGE).runAs(NOBODY).terminal().command("sh").build();
        LaunchPlan plan = plan(spec, Optional.of(BUSYBOX), Optional.of(NOBODY_IDS));
        int chown = indexOf(plan, "give the terminal to uid 65534");
        Step step = plan.childSteps().get(chown);
        assertEquals(List.of(Arg.of(Slots.TERMINAL_PEER), Arg.of(65534), Arg.of(0xFFFF_FFFFL)), step.args(),
                "its group stays devpts' own");
        assertEquals(Call.FCHOWN, step.call());
        assertTrue(chown > indexOf(plan, "open the terminal's peer"));
        int pause = indexOf(plan, "wait for the parent again (it exited)");
        assertTrue(chown < pause && pause < indexOf(plan, "become uid 65534"),
                "the parent takes the master from a child whose ids have not changed");
        assertFalse(calls(plan(Fixtures.spec().rootfs(IMAGE).terminal().command("sh").build(), Optional.of(BUSYBOX),
                Optional.empty())).contains(Call.FCHOWN), "without -S the terminal stays its opener's");
    }

    @Test
    void inAUserNamespaceTheIdMapsStayTheHandshakesWork() {
        ContainerSpec spec = Fixtures.spec().user(UserNamespace.rootMapping(1000, 1000, false)).terminal()
                .command("sh").build();
        LaunchPlan plan = plan(spec, Optional.empty(), Optional.empty());
        assertEquals(2, plan.pauses().size());
        assertEquals(List.of("uid_map", "gid_map"), plan.pauses().get(0).parentSteps().stream()
                .map(ParentStep::what).toList());
    }

    @Test
    void aPlanWhoseChildAndParentDisagreeOnThePausesIsRefused() {
        LaunchPlan plan = plan(Fixtures.spec().terminal().command("sh").build(), Optional.empty(), Optional.empty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LaunchPlan(
                plan.cloneFlags(), true, plan.childSteps(), plan.pauses().subList(0, 1)));
        assertEquals("the child waits 2 times for its release, the parent 1 times", e.getMessage());
    }

    private static byte[] longBytes(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value).array();
    }
}
