package dev.isolate.supervise;

import static dev.isolate.linux.Linux.AT_EACCESS;
import static dev.isolate.linux.Linux.AT_FDCWD;
import static dev.isolate.linux.Linux.CLONE_NEWNS;
import static dev.isolate.linux.Linux.CLONE_NEWPID;
import static dev.isolate.linux.Linux.CLONE_PARENT;
import static dev.isolate.linux.Linux.EACCES;
import static dev.isolate.linux.Linux.ENOENT;
import static dev.isolate.linux.Linux.EPERM;
import static dev.isolate.linux.Linux.SIGCHLD;
import static dev.isolate.linux.Linux.SIGKILL;
import static dev.isolate.linux.Linux.SIGTERM;
import static dev.isolate.linux.Linux.X_OK;
import static dev.isolate.supervise.ScriptedSyscalls.exited;
import static dev.isolate.supervise.ScriptedSyscalls.failure;
import static dev.isolate.supervise.ScriptedSyscalls.killedBy;
import static dev.isolate.supervise.ScriptedSyscalls.newProcess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.Fixtures;
import dev.isolate.exit.Failure;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.Handshake;
import dev.isolate.step.LaunchPlan;
import dev.isolate.step.ParentStep;
import dev.isolate.step.Pause;
import dev.isolate.step.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The supervisor's handshake with a scripted child ({@link ScriptedSyscalls}): what it does,
 * in which order, and what becomes of each way the child can end. Every test also checks
 * that each pipe end was closed once, every child reaped, and the script played to its end.
 */
class SupervisorTest {
    private static final int CHILD = 100;
    private static final int COMMAND = 101;

    /** The supervisor's part of a launch from the clone to the child's "armed". */
    private static final List<String> CLONE_TO_ARMED = List.of("pipes", "load", "clone -> 100", "close 4", "close 5",
            "read 3 -> armed");

    private static final Step CLOSE = Step.of(Call.CLOSE, Check.SUCCESS, "close the parent's end of the report pipe",
            Arg.of(Handshake.End.REPORT_READ));
    private static final Step ARM = Step.of(Call.PRCTL, Check.SUCCESS, "set the parent-death signal");
    private static final Step REPORT = Step.of(Call.WRITE, Check.exactly(8), "report to the parent");
    private static final Step WAIT = Step.of(Call.READ, Check.exactly(1), "wait for the parent (it exited)",
            Arg.of(Handshake.End.RELEASE_READ));
    private static final Step PAUSE = Step.of(Call.WRITE, Check.exactly(8), "report a pause to the parent");
    private static final Step WAIT_AGAIN = Step.of(Call.READ, Check.exactly(1), "wait for the parent again (it exited)",
            Arg.of(Handshake.End.RELEASE_READ));
    private static final Step MOUNT_PROC = Step.of(Call.MOUNT, Check.SUCCESS, "mount proc on /proc");
    private static final Step EXEC = Step.of(Call.EXECVE, Check.EXEC_CANDIDATE, "exec /bin/sh", Arg.of("/bin/sh"),
            new Arg.CStringArray(List.of("sh")), new Arg.CStringArray(List.of()));
    private static final Step FORK = Step.of(Call.CLONE, Check.CLONED, "start a process in the PID namespace",
            Arg.of(CLONE_PARENT | SIGCHLD));
    private static final Step CHROOT = Step.of(Call.CHROOT, Check.SUCCESS, "make it the root");

    /** isolate run -m -p: step 4 mounts /proc, step 5 execs. */
    private static final List<Step> RUN_STEPS = List.of(CLOSE, ARM, REPORT, WAIT, MOUNT_PROC, EXEC);
    private static final int MOUNT_STEP = 4;
    private static final int EXEC_STEP = 5;
    /** isolate exec into a PID namespace: step 1 forks, step 5 chroots, step 6 execs. */
    private static final LaunchPlan JOIN = new LaunchPlan(SIGCHLD, false,
            List.of(CLOSE, FORK, ARM, REPORT, WAIT, CHROOT, EXEC), List.of(new Pause(List.of())));
    private static final int CHROOT_STEP = 5;

    private static final ParentStep TAKE_MASTER = new ParentStep.TakeDescriptor(Handshake.End.REPORT_READ,
            "take the terminal's master from the child");
    private static final ParentStep UID_MAP = new ParentStep.WriteProcFile("uid_map", "0 1000 1\n", "uid_map");
    private static final ParentStep SETGROUPS = new ParentStep.WriteProcFile("setgroups", "deny", "setgroups");
    private static final ParentStep NEWGIDMAP = new ParentStep.RunHelper("/usr/bin/newgidmap",
            List.of("0", "1000", "1"), "gid map (newgidmap)");

    private final ScriptedSyscalls sys = new ScriptedSyscalls().clones(CHILD);
    private final List<String> diagnostics = new ArrayList<>();
    private final Supervisor supervisor = new Supervisor(sys, Fixtures.USER, message -> diagnostics.add(message.get()));

    @AfterEach
    void everythingClosedAndReaped() {
        sys.assertFinished();
    }

    private static LaunchPlan run(ParentStep... parentSteps) {
        return new LaunchPlan(CLONE_NEWNS | CLONE_NEWPID | SIGCHLD, true, RUN_STEPS,
                List.of(new Pause(List.of(parentSteps))));
    }

    /** isolate run -t: step 4 mounts /proc, the child pauses again at step 6 for the parent to take the master. */
    private static LaunchPlan withTerminal(ParentStep... handshakeSteps) {
        return new LaunchPlan(CLONE_NEWNS | CLONE_NEWPID | SIGCHLD, true,
                List.of(CLOSE, ARM, REPORT, WAIT, MOUNT_PROC, PAUSE, WAIT_AGAIN, EXEC),
                List.of(new Pause(List.of(handshakeSteps)), new Pause(List.of(TAKE_MASTER))));
    }

    private int supervise(LaunchPlan plan) {
        return supervisor.run(plan, sys.events());
    }

    private Failure refused(LaunchPlan plan) {
        return assertThrows(Failure.class, () -> supervise(plan));
    }

    private static List<String> calls(List<String> start, String... rest) {
        return Stream.concat(start.stream(), Stream.of(rest)).toList();
    }

    @Test
    void aNormalRun() {
        sys.reports(LaunchPlan.ARMED).endOfFile().ends(CHILD, exited(3));
        assertEquals(3, supervise(run(UID_MAP, NEWGIDMAP)));
        assertEquals(calls(CLONE_TO_ARMED,
                "write /proc/100/uid_map: 0 1000 1",
                "run /usr/bin/newgidmap 100 0 1000 1",
                "waiting 100",
                "forward " + Supervisor.FORWARDED + " to 100",
                "release 6", "close 6",
                "read 3 -> end-of-file",
                "running 100",
                "wait 100 -> exit 3",
                "unload", "close 3"), sys.calls);
        assertTrue(diagnostics.get(0).contains(" 4 mount proc on /proc"), diagnostics.get(0));
        assertTrue(diagnostics.contains("command running"), diagnostics.toString());
    }

    @Test
    void aCommandKilledBySignalNEndsWith128PlusN() {
        sys.reports(LaunchPlan.ARMED).endOfFile().ends(CHILD, killedBy(SIGTERM));
        assertEquals(143, supervise(run()));
        assertEquals("wait 100 -> signal 15", sys.calls.get(sys.calls.size() - 3));
    }

    @Test
    void aChildStepThatFails() {
        sys.reports(LaunchPlan.ARMED).reports(failure(MOUNT_STEP, EPERM)).ends(CHILD, exited(125));
        Failure failure = refused(run());
        assertEquals(Failure.Kind.STEP, failure.kind());
        assertEquals("mount proc on /proc: Operation not permitted", failure.getMessage());
        assertEquals(125, failure.exitStatus());
        assertEquals(calls(CLONE_TO_ARMED,
                "waiting 100",
                "forward " + Supervisor.FORWARDED + " to 100",
                "release 6", "close 6",
                "read 3 -> step 4 errno 1",
                "wait 100 -> exit 125",
                "unload", "close 3"), sys.calls);
    }

    @Test
    void aStepBeforeTheHandshakeThatFails() {
        sys.reports(failure(1, EPERM)).ends(CHILD, exited(125));
        Failure failure = refused(run(UID_MAP));
        assertEquals("set the parent-death signal: Operation not permitted", failure.getMessage());
        assertEquals(List.of("pipes", "load", "clone -> 100", "close 4", "close 5", "read 3 -> step 1 errno 1",
                "wait 100 -> exit 125", "unload", "close 3", "close 6"), sys.calls, "no parent step, no release");
    }

    @Test
    void aResultThatIsNoErrorButNotTheOneExpected() {
        sys.reports(failure(2, 0)).ends(CHILD, exited(125));
        assertEquals("report to the parent: unexpected result", refused(run()).getMessage());
    }

    @Test
    void anExecThatFindsNothingEndsWith127() {
        sys.reports(LaunchPlan.ARMED).reports(failure(EXEC_STEP, ENOENT)).ends(CHILD, exited(125));
        Failure failure = refused(run());
        assertEquals(Failure.Kind.EXEC, failure.kind());
        assertEquals("exec \"sh\": No such file or directory", failure.getMessage());
        assertEquals(127, failure.exitStatus());
    }

    @Test
    void anExecThatIsRefusedEndsWith126() {
        sys.reports(LaunchPlan.ARMED).reports(failure(EXEC_STEP, EACCES)).ends(CHILD, exited(125));
        Failure failure = refused(run());
        assertEquals(Failure.Kind.EXEC, failure.kind());
        assertEquals("exec /bin/sh: Permission denied", failure.getMessage());
        assertEquals(126, failure.exitStatus());
    }

    /** --init: a probe of the PATH walk (step 4), then the init's exec for that path (step 5). */
    private static final int PROBE_STEP = 4;

    private static LaunchPlan probing(String what, String path) {
        Step probe = Step.of(Call.FACCESSAT2, Check.EXEC_PROBE, what, Arg.of(AT_FDCWD), Arg.of(path), Arg.of(X_OK),
                Arg.of(AT_EACCESS));
        Step init = Step.of(Call.EXECVE, Check.SUCCESS, "exec the init /dev/init for " + path, Arg.of("/dev/init"),
                new Arg.CStringArray(List.of("/dev/init", "--", "sh")), new Arg.CStringArray(List.of()));
        return new LaunchPlan(SIGCHLD, true, List.of(CLOSE, ARM, REPORT, WAIT, probe, init),
                List.of(new Pause(List.of())));
    }

    @Test
    void aProbeOfTheWalkThatFindsNothingNamesTheCommandAndEndsWith127() {
        sys.reports(LaunchPlan.ARMED).reports(failure(PROBE_STEP, ENOENT)).ends(CHILD, exited(125));
        Failure failure = refused(probing("exec /bin/sh", "/bin/sh"));
        assertEquals(Failure.Kind.EXEC, failure.kind());
        assertEquals("exec \"sh\": No such file or directory", failure.getMessage());
        assertEquals(127, failure.exitStatus());
    }

    @Test
    void aProbeThatIsRefusedNamesThePathAndEndsWith126() {
        sys.reports(LaunchPlan.ARMED).reports(failure(PROBE_STEP, EACCES)).ends(CHILD, exited(125));
        Failure failure = refused(probing("exec /bin/sh", "/bin/sh"));
        assertEquals("exec /bin/sh: Permission denied", failure.getMessage());
        assertEquals(126, failure.exitStatus());
    }

    @Test
    void aProbeOfAPathGivenKeepsItsName() {
        sys.reports(LaunchPlan.ARMED).reports(failure(PROBE_STEP, ENOENT)).ends(CHILD, exited(125));
        Failure failure = refused(probing("exec \"./sh\"", "./sh"));
        assertEquals("exec \"./sh\": No such file or directory", failure.getMessage());
        assertEquals(127, failure.exitStatus());
    }

    @Test
    void aChildKilledDuringSetupEndsWithTheStatusOfItsDeath() {
        sys.endOfFile().ends(CHILD, killedBy(SIGKILL));
        assertEquals(137, supervise(run(UID_MAP)));
        assertEquals(List.of("pipes", "load", "clone -> 100", "close 4", "close 5", "read 3 -> end-of-file",
                "wait 100 -> signal 9", "unload", "close 3", "close 6"), sys.calls);
    }

    @Test
    void aChildKilledWhileItWaitsForItsRelease() {
        sys.reports(LaunchPlan.ARMED).endOfFile().ends(CHILD, killedBy(SIGKILL));
        assertEquals(137, supervise(run()));
    }

    /** The child that forks reports the pid, then exits 125 (the trampoline's "report"): not the command's status. */
    @Test
    void aChildThatForksReportsThePidFirst() {
        sys.reports(newProcess(COMMAND)).reports(LaunchPlan.ARMED).endOfFile()
                .ends(CHILD, exited(125)).ends(COMMAND, exited(7));
        assertEquals(7, supervise(JOIN));
        assertEquals(List.of("pipes", "load", "clone -> 100", "close 4", "close 5",
                "read 3 -> pid 101",
                "wait 100 -> exit 125",
                "read 3 -> armed",
                "waiting 101",
                "forward " + Supervisor.FORWARDED + " to 101",
                "release 6", "close 6",
                "read 3 -> end-of-file",
                "running 101",
                "wait 101 -> exit 7",
                "unload", "close 3"), sys.calls);
    }

    @Test
    void aChildThatForksReportsArmedFirst() {
        sys.reports(LaunchPlan.ARMED).reports(newProcess(COMMAND)).endOfFile()
                .ends(CHILD, exited(125)).ends(COMMAND, killedBy(SIGTERM));
        assertEquals(143, supervise(JOIN));
        assertEquals(List.of("pipes", "load", "clone -> 100", "close 4", "close 5",
                "read 3 -> armed",
                "read 3 -> pid 101",
                "wait 100 -> exit 125",
                "waiting 101",
                "forward " + Supervisor.FORWARDED + " to 101",
                "release 6", "close 6",
                "read 3 -> end-of-file",
                "running 101",
                "wait 101 -> signal 15",
                "unload", "close 3"), sys.calls);
    }

    @Test
    void aForkedCommandsStepThatFails() {
        sys.reports(LaunchPlan.ARMED).reports(newProcess(COMMAND)).reports(failure(CHROOT_STEP, EPERM))
                .ends(CHILD, exited(125)).ends(COMMAND, exited(125));
        assertEquals("make it the root: Operation not permitted", refused(JOIN).getMessage());
        assertEquals(List.of("read 3 -> step 5 errno 1", "wait 101 -> exit 125", "unload", "close 3"),
                sys.calls.subList(sys.calls.size() - 4, sys.calls.size()));
    }

    @Test
    void aChildThatFailsBeforeItForks() {
        sys.reports(failure(1, EPERM)).ends(CHILD, exited(125));
        assertEquals("start a process in the PID namespace: Operation not permitted", refused(JOIN).getMessage());
        assertEquals(List.of("pipes", "load", "clone -> 100", "close 4", "close 5", "read 3 -> step 1 errno 1",
                "wait 100 -> exit 125", "unload", "close 3", "close 6"), sys.calls);
    }

    @Test
    void aForkedCommandKilledBeforeItIsArmed() {
        sys.reports(newProcess(COMMAND)).endOfFile().ends(CHILD, exited(125)).ends(COMMAND, killedBy(SIGKILL));
        assertEquals(137, supervise(JOIN));
        assertEquals(List.of("read 3 -> pid 101", "wait 100 -> exit 125", "read 3 -> end-of-file",
                "wait 101 -> signal 9", "unload", "close 3", "close 6"), sys.calls.subList(5, sys.calls.size()));
    }

    /** A parent step that fails: the child is killed and reaped before its program is freed. */
    private static List<String> killedAfter(String... parentCalls) {
        return calls(calls(CLONE_TO_ARMED, parentCalls), "kill 100 9", "wait 100 -> signal 9", "unload", "close 3",
                "close 6");
    }

    @Test
    void aHelperThatFails() {
        sys.reports(LaunchPlan.ARMED).helperEnds("/usr/bin/newgidmap", 1,
                "newgidmap: usage\nnewgidmap: gid range [0-1) -> [1000-1001) not allowed");
        Failure failure = refused(run(UID_MAP, NEWGIDMAP));
        assertEquals(Failure.Kind.STEP, failure.kind());
        assertEquals("gid map (newgidmap): newgidmap: gid range [0-1) -> [1000-1001) not allowed",
                failure.getMessage(), "the helper's last line");
        assertEquals(killedAfter("write /proc/100/uid_map: 0 1000 1", "run /usr/bin/newgidmap 100 0 1000 1"),
                sys.calls);
    }

    @Test
    void aHelperThatFailsSilently() {
        sys.reports(LaunchPlan.ARMED).helperEnds("/usr/bin/newgidmap", 1, "");
        assertEquals("gid map (newgidmap): exit status 1", refused(run(NEWGIDMAP)).getMessage());
        assertEquals(killedAfter("run /usr/bin/newgidmap 100 0 1000 1"), sys.calls);
    }

    @Test
    void aMappingTheKernelRefuses() {
        sys.reports(LaunchPlan.ARMED).procWriteReturns("uid_map", -EPERM);
        Failure failure = refused(run(SETGROUPS, UID_MAP));
        assertEquals("uid_map: Operation not permitted (the kernel refused the mapping: every outside id must"
                + " exist in isolate's own user namespace)", failure.getMessage());
        assertEquals(125, failure.exitStatus());
        assertEquals(killedAfter("write /proc/100/setgroups: deny", "write /proc/100/uid_map: 0 1000 1"), sys.calls);
    }

    @Test
    void anotherProcWriteThatFails() {
        sys.reports(LaunchPlan.ARMED).procWriteReturns("setgroups", -ENOENT);
        assertEquals("setgroups: No such file or directory", refused(run(SETGROUPS, UID_MAP)).getMessage());
        assertEquals(killedAfter("write /proc/100/setgroups: deny"), sys.calls);
    }

    @Test
    void theHostsPartOfTheSetupThatFails() {
        sys.reports(LaunchPlan.ARMED);
        Failure network = Failure.step("add eth0: no such bridge");
        ChildEvents failing = new ChildEvents() {
            @Override
            public void waiting(int pid) {
                sys.calls.add("waiting " + pid);
                throw network;
            }
        };
        assertEquals(network, assertThrows(Failure.class, () -> supervisor.run(run(), failing)));
        assertEquals(killedAfter("waiting 100"), sys.calls);
    }

    @Test
    void aCloneThatIsRefused() {
        sys.clones(-EPERM);
        Failure failure = refused(run());
        assertEquals(Failure.Kind.STEP, failure.kind());
        assertEquals(125, failure.exitStatus());
        assertEquals("clone: Operation not permitted (creating namespaces needs privilege: run isolate as root,"
                + " or use a user namespace (-U) and drop --no-user-auto)", failure.getMessage(),
                "CloneErrors' hint for namespaces without a user namespace");
        assertEquals(List.of("pipes", "load", "clone -> -1", "unload", "close 3", "close 4", "close 5", "close 6"),
                sys.calls);
    }

    @Test
    void aSecondPauseTakesTheDescriptorTheChildLeftThenReleasesItAgain() {
        sys.reports(LaunchPlan.ARMED).reports(LaunchPlan.PAUSED).endOfFile().ends(CHILD, exited(0));
        assertEquals(0, supervise(withTerminal(UID_MAP)));
        assertEquals(calls(CLONE_TO_ARMED,
                "write /proc/100/uid_map: 0 1000 1",
                "waiting 100",
                "forward " + Supervisor.FORWARDED + " to 100",
                "release 6",
                "read 3 -> paused",
                "take fd 3 of 100 -> 7",
                "took 7",
                "release 6", "close 6",
                "read 3 -> end-of-file",
                "running 100",
                "wait 100 -> exit 0",
                "unload", "close 3", "close 7"), sys.calls, "the taken descriptor is closed with the launch");
        assertTrue(diagnostics.contains("parent: take the terminal's master from the child"), diagnostics.toString());
    }

    @Test
    void aStepBetweenThePausesThatFails() {
        sys.reports(LaunchPlan.ARMED).reports(failure(MOUNT_STEP, EPERM)).ends(CHILD, exited(125));
        assertEquals("mount proc on /proc: Operation not permitted", refused(withTerminal()).getMessage());
        assertEquals(calls(CLONE_TO_ARMED,
                "waiting 100",
                "forward " + Supervisor.FORWARDED + " to 100",
                "release 6",
                "read 3 -> step 4 errno 1",
                "wait 100 -> exit 125",
                "unload", "close 3", "close 6"), sys.calls, "nothing taken, the release pipe closed once");
    }

    @Test
    void aChildKilledAtItsSecondPause() {
        sys.reports(LaunchPlan.ARMED).endOfFile().ends(CHILD, killedBy(SIGKILL));
        assertEquals(137, supervise(withTerminal()));
        assertEquals(List.of("release 6", "read 3 -> end-of-file", "wait 100 -> signal 9", "unload", "close 3",
                "close 6"), sys.calls.subList(sys.calls.size() - 6, sys.calls.size()));
    }

    @Test
    void aCommandThatFailsToExecAfterTheTakeClosesWhatWasTaken() {
        sys.reports(LaunchPlan.ARMED).reports(LaunchPlan.PAUSED).reports(failure(7, ENOENT)).ends(CHILD, exited(125));
        Failure failure = refused(withTerminal());
        assertEquals(127, failure.exitStatus());
        assertEquals(List.of("read 3 -> step 7 errno 2", "wait 100 -> exit 125", "unload", "close 3", "close 7"),
                sys.calls.subList(sys.calls.size() - 5, sys.calls.size()));
    }
}
