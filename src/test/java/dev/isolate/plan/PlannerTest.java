package dev.isolate.plan;

import static dev.isolate.linux.Linux.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.Fixtures;
import dev.isolate.exit.Failure;
import dev.isolate.host.HostFacts;
import dev.isolate.host.KernelVersion;
import dev.isolate.host.join.JoinTarget;
import dev.isolate.host.rootfs.RootfsLayout;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.IdMapping;
import dev.isolate.spec.JoinSpec;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.NetworkMode;
import dev.isolate.spec.Propagation;
import dev.isolate.spec.RootFilesystem;
import dev.isolate.spec.TimeOffsets;
import dev.isolate.spec.UserNamespace;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.Handshake;
import dev.isolate.step.LaunchPlan;
import dev.isolate.step.ParentStep;
import dev.isolate.step.Pause;
import dev.isolate.step.Step;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlannerTest {
    private static final HostFacts FACTS = Fixtures.facts().passedFds(7).handledSignals(11, 13).build();

    private static final RootfsLayout BUSYBOX = new RootfsLayout("/images/busybox", false, Optional.empty(),
            List.of(), Set.of(), List.of(), Set.of(), Set.of());
    private static final Prepared WITH_ROOTFS = new Prepared(Optional.of(BUSYBOX), OptionalInt.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(), OptionalInt.empty());

    private static LaunchPlan plan(ContainerSpec spec) {
        return Planner.plan(spec, FACTS, Prepared.NOTHING);
    }

    private static ContainerSpec rootfsSpec(Propagation propagation, Optional<String> workdir) {
        Fixtures.Spec spec = Fixtures.spec().propagation(propagation).command("sh")
                .rootfs(new RootFilesystem("/images/busybox", false, Optional.empty(), List.of()));
        workdir.ifPresent(spec::workdir);
        return spec.build();
    }

    private static ContainerSpec spec(Set<Namespace> namespaces, String... command) {
        return Fixtures.spec().namespaces(namespaces).environment(Map.of("PATH", "/a:/b/")).command(command).build();
    }

    private static List<Call> calls(LaunchPlan plan) {
        return plan.childSteps().stream().map(Step::call).toList();
    }

    @Test
    void minimalPlanIsHandshakeThenDescriptorsThenExec() {
        LaunchPlan plan = plan(spec(Set.of(), "/bin/true"));
        assertEquals(SIGCHLD, plan.cloneFlags());
        assertEquals(List.of(Call.CLOSE, Call.CLOSE, Call.RT_SIGACTION, Call.RT_SIGACTION, Call.RT_SIGPROCMASK,
                Call.PRCTL, Call.WRITE, Call.READ, Call.CLOSE_RANGE, Call.FCNTL, Call.EXECVE), calls(plan));
        // the child closes the parent's ends and keeps its own
        assertEquals(Arg.of(Handshake.End.REPORT_READ), plan.childSteps().get(0).args().get(0));
        assertEquals(Arg.of(Handshake.End.RELEASE_WRITE), plan.childSteps().get(1).args().get(0));
        assertEquals(List.of(Arg.of(11), Arg.of(13)), plan.childSteps().subList(2, 4).stream()
                .map(s -> s.args().get(0)).toList(), "the handlers isolate has are reset");
        assertEquals(Arg.of(Handshake.End.REPORT_WRITE), plan.childSteps().get(6).args().get(0));
        assertEquals(Arg.of(Handshake.End.RELEASE_READ), plan.childSteps().get(7).args().get(0));
        assertEquals(new Arg.Value(7), plan.childSteps().get(9).args().get(0));
    }

    @Test
    void namespaceFlagsGoToCloneExceptTimeAndCgroup() {
        ContainerSpec all = Fixtures.spec().namespaces(EnumSet.allOf(Namespace.class)).hostname("h").build();
        LaunchPlan plan = plan(all);
        assertEquals(SIGCHLD | CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET,
                plan.cloneFlags());
        List<Step> unshares = plan.childSteps().stream().filter(step -> step.call() == Call.UNSHARE).toList();
        assertEquals(List.of(Arg.of(CLONE_NEWCGROUP), Arg.of(CLONE_NEWTIME)),
                unshares.stream().map(step -> step.args().get(0)).toList());
        int released = calls(plan).indexOf(Call.READ);
        assertTrue(plan.childSteps().indexOf(unshares.get(0)) > released,
                "the cgroup namespace is made after the parent moved the child into the container's cgroup");
    }

    @Test
    void idMapsAreTheParentsWorkBeforeTheRelease() {
        ContainerSpec user = Fixtures.spec().user(UserNamespace.rootMapping(1000, 1000, false)).build();
        assertEquals(List.of(new ParentStep.WriteProcFile("uid_map", "0 1000 1\n", "uid_map"),
                new ParentStep.WriteProcFile("gid_map", "0 1000 1\n", "gid_map")),
                plan(user).pauses().get(0).parentSteps());
        assertEquals(List.of(new Pause(List.of())), plan(spec(Set.of(Namespace.NET), "true")).pauses());
    }

    @Test
    void mountsArePrivateBeforeProcIsMounted() {
        LaunchPlan plan = plan(spec(Set.of(Namespace.PID, Namespace.MOUNT), "true"));
        List<Step> mounts = plan.childSteps().stream().filter(s -> s.call() == Call.MOUNT).toList();
        assertEquals(2, mounts.size());
        assertEquals(new Arg.CString("/"), mounts.get(0).args().get(1));
        assertEquals(new Arg.Value(MS_REC | MS_PRIVATE), mounts.get(0).args().get(3));
        assertEquals(new Arg.CString("proc"), mounts.get(1).args().get(2));
        int release = calls(plan).indexOf(Call.READ);
        assertTrue(calls(plan).indexOf(Call.MOUNT) > release, "setup happens after the parent's release");
    }

    @Test
    void propagationIsSetOnceBeforeAnyMount() {
        for (Propagation propagation : Propagation.values()) {
            ContainerSpec spec = Fixtures.spec().namespaces(Namespace.PID, Namespace.MOUNT).propagation(propagation)
                    .build();
            List<Step> mounts = plan(spec).childSteps().stream()
                    .filter(s -> s.call() == Call.MOUNT).toList();
            Step proc = mounts.get(mounts.size() - 1);
            assertEquals(new Arg.CString("proc"), proc.args().get(2));
            switch (propagation) {
                case PRIVATE -> assertEquals(new Arg.Value(MS_REC | MS_PRIVATE), mounts.get(0).args().get(3));
                case SLAVE -> assertEquals(new Arg.Value(MS_REC | MS_SLAVE), mounts.get(0).args().get(3));
                case SHARED, UNCHANGED -> assertEquals(List.of("/proc", "/proc"), mounts.subList(mounts.size() - 2,
                        mounts.size()).stream().map(s -> ((Arg.CString) s.args().get(1)).value()).toList(),
                        "a shared /proc is made private before a new proc covers it");
            }
            assertEquals(propagation == Propagation.SHARED ? 3 : 2, mounts.size(), propagation.name());
        }
    }

    @Test
    void aRootFilesystemIsBuiltAfterTheReleaseAndEnteredBeforeTheWorkdirAndExec() {
        LaunchPlan plan = Planner.plan(rootfsSpec(Propagation.PRIVATE, Optional.of("/srv")), FACTS, WITH_ROOTFS);
        List<Call> calls = calls(plan);
        assertTrue(calls.indexOf(Call.READ) < calls.indexOf(Call.MOUNT));
        assertEquals(new Arg.CString("/"), plan.childSteps().get(calls.indexOf(Call.MOUNT)).args().get(1));
        int pivot = calls.indexOf(Call.PIVOT_ROOT);
        int workdir = plan.childSteps().stream().map(Step::args).toList().indexOf(List.of(new Arg.CString("/srv")));
        assertTrue(calls.indexOf(Call.OPEN_TREE) < pivot && pivot < workdir && workdir < calls.indexOf(Call.EXECVE));
        assertEquals(0, plan.childSteps().stream().filter(s -> s.args().contains(new Arg.CString("proc"))
                && s.call() == Call.MOUNT).count(), "the root filesystem brings its own /proc");
        assertThrows(IllegalArgumentException.class, () -> plan(rootfsSpec(Propagation.PRIVATE, Optional.empty())),
                "a spec with a root filesystem needs it prepared");
    }

    @Test
    void loopbackComesUpThroughTheSocketTheChildOpened() {
        LaunchPlan plan = plan(spec(Set.of(Namespace.NET), "true"));
        int socket = calls(plan).indexOf(Call.SOCKET);
        Step ioctl = plan.childSteps().get(socket + 1);
        assertEquals(Call.IOCTL, ioctl.call());
        assertEquals(new Arg.Saved(plan.childSteps().get(socket).saveIn().orElseThrow()), ioctl.args().get(0));
        assertEquals(new Arg.Value(SIOCSIFFLAGS), ioctl.args().get(1));
    }

    @Test
    void aJoinedNetworkIsEnteredRightAfterTheReleaseBeforeAnyMountAndLoIsLeftAlone() {
        ContainerSpec spec = Fixtures.spec().namespaces(Namespace.MOUNT, Namespace.PID)
                .network(Fixtures.network(NetworkMode.parse("ns:blue"))).build();
        LaunchPlan plan = Planner.plan(spec, FACTS, new Prepared(Optional.empty(), OptionalInt.of(9), Optional.empty(), Optional.empty(), Optional.empty(), List.of(), OptionalInt.empty()));
        int setns = calls(plan).indexOf(Call.SETNS);
        assertEquals(calls(plan).indexOf(Call.READ) + 1, setns);
        assertEquals(List.of(new Arg.Value(9), new Arg.Value(CLONE_NEWNET)), plan.childSteps().get(setns).args());
        assertTrue(calls(plan).indexOf(Call.MOUNT) > setns);
        assertFalse(calls(plan).contains(Call.SOCKET));
        assertEquals(0, plan.cloneFlags() & CLONE_NEWNET);
        assertThrows(IllegalArgumentException.class, () -> plan(spec));
    }

    @Test
    void timeOffsetsAreWrittenAfterUnshare() {
        ContainerSpec spec = Fixtures.spec().namespaces(Namespace.TIME).timeOffsets(new TimeOffsets(5, -2)).build();
        LaunchPlan plan = plan(spec);
        int unshare = calls(plan).indexOf(Call.UNSHARE);
        Step open = plan.childSteps().get(unshare + 1);
        assertEquals(Call.OPENAT, open.call());
        Step write = plan.childSteps().get(unshare + 2);
        assertEquals(new Arg.Saved(open.saveIn().orElseThrow()), write.args().get(0));
        byte[] text = "monotonic 5 0\nboottime -2 0\n".getBytes();
        assertEquals(new Arg.Bytes(text), write.args().get(1));
        assertEquals(Check.exactly(text.length), write.check());
    }

    @Test
    void hostnameAndWorkdir() {
        ContainerSpec spec = Fixtures.spec().hostname("box").workdir("/srv").build();
        List<Step> steps = plan(spec).childSteps();
        Step hostname = steps.stream().filter(s -> s.call() == Call.SETHOSTNAME).findFirst().orElseThrow();
        assertEquals(List.of(new Arg.CString("box"), new Arg.Value(3)), hostname.args());
        assertEquals("sethostname \"box\"", hostname.what());
        assertTrue(steps.stream().anyMatch(s -> s.call() == Call.CHDIR && s.args().get(0).equals(new Arg.CString("/srv"))));
    }

    @Test
    void bareNamesWalkThePathOfTheCommandsEnvironment() {
        LaunchPlan plan = plan(spec(Set.of(), "ls", "-l"));
        List<Step> execs = plan.childSteps().stream().filter(s -> s.call() == Call.EXECVE).toList();
        assertEquals(2, execs.size());
        assertEquals(new Arg.CString("/a/ls"), execs.get(0).args().get(0));
        assertEquals(new Arg.CString("/b/ls"), execs.get(1).args().get(0));
        assertEquals(List.of("exec /a/ls", "exec /b/ls"), execs.stream().map(Step::what).toList(),
                "-v names each path tried");
        assertTrue(execs.stream().allMatch(s -> s.check().equals(Check.EXEC_CANDIDATE)));
        assertEquals(new Arg.CStringArray(List.of("ls", "-l")), execs.get(0).args().get(1));
        assertEquals(new Arg.CStringArray(List.of("PATH=/a:/b/")), execs.get(0).args().get(2));
    }

    @Test
    void oldKernelsAreRefusedWithTheVersionTheyNeed() {
        ContainerSpec time = spec(Set.of(Namespace.TIME), "true");
        HostFacts linux510 = Fixtures.facts().kernel(5, 10).build();
        HostFacts linux515 = Fixtures.facts().kernel(5, 15).build();
        assertEquals("Linux 5.10: isolate needs Linux 5.11 or later",
                assertThrows(Failure.class, () -> Planner.plan(time, linux510, Prepared.NOTHING)).getMessage());
        assertEquals("time namespace: needs Linux 6.0 or later, for the command itself to enter it (this is 5.15)",
                assertThrows(Failure.class, () -> Planner.plan(time, linux515, Prepared.NOTHING)).getMessage());
        Planner.plan(spec(Set.of(Namespace.NET), "true"), linux515, Prepared.NOTHING);
        assertEquals("--rootfs: needs Linux 5.12 or later (this is 5.11)", assertThrows(Failure.class,
                () -> Planner.plan(rootfsSpec(Propagation.PRIVATE, Optional.empty()),
                        Fixtures.facts().kernel(5, 11).build(), WITH_ROOTFS)).getMessage());
        assertEquals("Linux 5.10: isolate needs Linux 5.11 or later",
                assertThrows(Failure.class, () -> Planner.check(time, linux510, Optional.empty())).getMessage(),
                "the check before preparation refuses what planning would");
    }

    @Test
    void kernelReleasesParse() {
        assertEquals(new KernelVersion(6, 18), KernelVersion.parse("6.18.44-fc-v595"));
        assertTrue(KernelVersion.parse("10.0").compareTo(new KernelVersion(6, 0)) > 0);
        assertTrue(KernelVersion.parse("5.10").compareTo(new KernelVersion(5, 11)) < 0);
        assertThrows(IllegalArgumentException.class, () -> KernelVersion.parse("six"));
    }

    @Test
    void searchPathFollowsExecvp() {
        assertEquals(List.of("/x/sh", "sh", "/y/sh"), ExecSteps.searchPath("sh", "/x::/y/"));
        ContainerSpec noPath = Fixtures.spec().command("sh").build();
        long candidates = plan(noPath).childSteps().stream().filter(s -> s.call() == Call.EXECVE).count();
        assertEquals(ExecSteps.DEFAULT_PATH.split(":").length, candidates);
    }

    @Test
    void joiningEntersTheUserNamespaceFirstAndClonesIntoThePidNamespace() {
        JoinSpec spec = new JoinSpec(Set.of(), Map.of("PATH", "/bin"), Optional.empty(), false, List.of("sh"));
        JoinTarget target = new JoinTarget(Map.of(Namespace.PID, 20, Namespace.USER, 21, Namespace.MOUNT, 22,
                Namespace.NET, 23), OptionalInt.of(30), OptionalInt.of(31), JoinTarget.Confinement.NONE);
        LaunchPlan plan = Planner.planJoin(spec, FACTS, target, Optional.empty());
        assertEquals(SIGCHLD, plan.cloneFlags());
        assertTrue(!plan.sharesMemory(), "setns into a user namespace wants a process that shares nothing");
        assertTrue(plan.forks());
        List<Step> steps = plan.childSteps();
        List<Arg> entered = steps.stream().filter(s -> s.call() == Call.SETNS).map(s -> s.args().get(0)).toList();
        assertEquals(List.of(Arg.of(21), Arg.of(22), Arg.of(23), Arg.of(20)), entered, "user first, PID last");
        int clone = calls(plan).indexOf(Call.CLONE);
        assertEquals(Check.CLONED, steps.get(clone).check());
        assertEquals(Arg.of(CLONE_PARENT | SIGCHLD), steps.get(clone).args().get(0));
        assertTrue(clone < calls(plan).indexOf(Call.PRCTL), "the command's own process arms the death signal");
        assertTrue(calls(plan).indexOf(Call.SETRESUID) < calls(plan).indexOf(Call.CHROOT));
        assertEquals(Arg.of(30), steps.get(calls(plan).indexOf(Call.FCHDIR)).args().get(0));
        assertEquals(Call.EXECVE, steps.get(steps.size() - 1).call());
    }

    @Test
    void joiningWithoutThePidNamespaceNeedsNoSecondProcessAndWithoutMountKeepsTheRoot() {
        JoinSpec spec = new JoinSpec(Set.of(Namespace.UTS), Map.of(), Optional.of("/srv"), false, List.of("/bin/true"));
        JoinTarget target = new JoinTarget(Map.of(Namespace.UTS, 20), OptionalInt.empty(),
                OptionalInt.empty(), JoinTarget.Confinement.NONE);
        LaunchPlan plan = Planner.planJoin(spec, FACTS, target, Optional.empty());
        assertTrue(!plan.forks());
        assertEquals(-1, calls(plan).indexOf(Call.CHROOT));
        assertEquals(-1, calls(plan).indexOf(Call.SETRESUID));
        assertTrue(plan.childSteps().stream().anyMatch(s -> s.call() == Call.CHDIR
                && s.args().equals(List.of(Arg.of("/srv")))));
    }

    @Test
    void aJoinSetsItsLimitsAndUmaskAndLeftRunningArmsNoParentDeathSignal() {
        JoinSpec spec = new JoinSpec(Set.of(Namespace.UTS), Map.of(), Optional.empty(), false, List.of("/bin/true"),
                new dev.isolate.spec.Tunables(List.of(dev.isolate.spec.Tunables.Rlimit.of("RLIMIT_NOFILE", 1024, 1024)),
                        OptionalInt.of(077), OptionalInt.empty(), Optional.empty()),
                Optional.of(new dev.isolate.spec.CapabilitySets(Set.of(dev.isolate.spec.Capability.KILL,
                        dev.isolate.spec.Capability.CHOWN), Set.of(dev.isolate.spec.Capability.KILL),
                        Set.of(dev.isolate.spec.Capability.KILL), Set.of(), Set.of(), true)),
                Optional.of(new dev.isolate.spec.Credentials(java.util.OptionalLong.of(1000),
                        java.util.OptionalLong.of(1000), List.of(20L), Optional.empty())));
        JoinTarget target = new JoinTarget(Map.of(Namespace.UTS, 20), OptionalInt.empty(),
                OptionalInt.empty(), JoinTarget.Confinement.NONE);
        LaunchPlan plan = Planner.planJoin(spec, FACTS, target, Optional.empty(), false);
        List<String> whats = plan.childSteps().stream().map(Step::what).toList();
        assertTrue(whats.contains("set RLIMIT_NOFILE to 1024:1024"), whats.toString());
        assertTrue(whats.contains("set the umask to 077"), whats.toString());
        assertTrue(whats.indexOf("keep the permitted capabilities across the change of ids") < whats.indexOf(
                "become uid 1000"), whats.toString());
        assertTrue(whats.contains("set the supplementary groups to 20"), whats.toString());
        assertTrue(whats.indexOf("become uid 1000") < whats.indexOf(String.format(
                "set the capabilities to effective %016x, permitted %016x, inheritable %016x", 1L << 5, 1L << 5, 0L)),
                whats.toString());
        assertFalse(plan.childSteps().stream().anyMatch(step -> step.call() == Call.PRCTL
                && step.args().get(0).equals(Arg.of(PR_SET_PDEATHSIG))), "left running: no parent-death signal");
        assertTrue(Planner.planJoin(spec, FACTS, target, Optional.empty()).childSteps().stream().anyMatch(step ->
                step.call() == Call.PRCTL && step.args().get(0).equals(Arg.of(PR_SET_PDEATHSIG))));
    }

    @Test
    void theCheckBeforePreparationRefusesIdMapsTheCallerCannotHave() {
        ContainerSpec ranges = Fixtures.spec().user(new UserNamespace(List.of(new IdMapping(0, 5000, 10)),
                List.of(new IdMapping(0, 5000, 10)), null, false)).build();
        HostFacts user = Fixtures.facts().caller(Fixtures.USER).helpers().build();
        Failure refused = assertThrows(Failure.class, () -> Planner.check(ranges, user, Optional.empty()));
        assertEquals(Failure.Kind.INPUT, refused.kind());
        assertTrue(refused.getMessage().startsWith("uid range 0:5000:10: outside ids 5000-5009"), refused.getMessage());
        Planner.check(ranges, FACTS, Optional.empty());
    }

    @Test
    void aGatedChildArmsNoParentDeathSignalAndWaitsAtTheFifoAfterItsLastPause() {
        ContainerSpec spec = Fixtures.spec().namespaces(Namespace.MOUNT, Namespace.PID).command("/bin/true").build();
        LaunchPlan plan = Planner.plan(spec, FACTS, new Prepared(Optional.empty(), OptionalInt.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), List.of(), OptionalInt.of(42)));
        assertFalse(plan.sharesMemory(), "a child that outlives isolate runs on a copy of its memory");
        assertFalse(plan.childSteps().stream().anyMatch(step -> step.call() == Call.PRCTL
                && step.args().get(0).equals(Arg.of(PR_SET_PDEATHSIG))), "no parent-death signal");
        assertEquals(2, plan.pauses().size());
        List<Step> steps = plan.childSteps();
        int last = steps.size() - 1;
        assertEquals(Call.EXECVE, steps.get(last).call());
        assertEquals(Call.WRITE, steps.get(last - 1).call());
        Step open = steps.get(last - 2);
        assertEquals(Call.OPENAT, open.call());
        assertEquals(Arg.of("/proc/self/fd/42"), open.args().get(1));
        assertEquals(Arg.of(O_WRONLY | O_CLOEXEC), open.args().get(2));
        assertEquals(Arg.of(Handshake.End.REPORT_WRITE), steps.get(last - 3).args().get(0), "the report pipe closed");
        assertTrue(LaunchPlan.waitsForRelease(steps.get(last - 4)), "after the last pause");
    }

    @Test
    void tunablesAreSetWhileTheChildIsRootAndTheOomScoreByTheParent() {
        ContainerSpec spec = Fixtures.spec().namespaces(Namespace.UTS).hostname("h").command("/bin/true")
                .tunables(new dev.isolate.spec.Tunables(List.of(dev.isolate.spec.Tunables.Rlimit.of("RLIMIT_NOFILE",
                        1024, 4096)), OptionalInt.of(022), OptionalInt.of(500), Optional.of("example.org"))).build();
        LaunchPlan plan = plan(spec);
        List<String> whats = plan.childSteps().stream().map(Step::what).toList();
        assertTrue(whats.contains("setdomainname \"example.org\""), whats.toString());
        assertTrue(whats.contains("set RLIMIT_NOFILE to 1024:4096"), whats.toString());
        assertTrue(whats.contains("set the umask to 022"), whats.toString());
        assertTrue(plan.pauses().get(0).parentSteps().contains(new ParentStep.WriteProcFile("oom_score_adj", "500",
                "set the OOM score adjustment to 500")));
    }
}
