package dev.isolate.plan;

import static dev.isolate.linux.Linux.AT_EACCESS;
import static dev.isolate.linux.Linux.AT_FDCWD;
import static dev.isolate.linux.Linux.X_OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isolate.Fixtures;
import dev.isolate.host.HostFacts;
import dev.isolate.host.rootfs.RootfsLayout;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.RootFilesystem;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.Step;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** --init: the command wrapped in tini's command line, after the child's own probe of COMMAND. */
class InitStepsTest {
    private static final HostFacts FACTS = Fixtures.facts().build();
    private static final String TINI = "/usr/bin/tini-static";

    private static Prepared init(String path) {
        return new Prepared(Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(), Optional.of(path), List.of(), OptionalInt.empty());
    }

    /** The steps from the first probe on. */
    private static List<Step> exec(ContainerSpec spec, Prepared prepared) {
        List<Step> steps = Planner.plan(spec, FACTS, prepared).childSteps();
        int first = steps.stream().map(Step::call).toList().indexOf(Call.FACCESSAT2);
        return steps.subList(first, steps.size());
    }

    private static Step probe(String path, String what) {
        return Step.of(Call.FACCESSAT2, Check.EXEC_PROBE, what, Arg.of(AT_FDCWD), Arg.of(path), Arg.of(X_OK),
                Arg.of(AT_EACCESS));
    }

    private static Step execInit(String init, String probed, List<String> argv, List<String> environ) {
        return Step.of(Call.EXECVE, Check.SUCCESS, "exec the init " + init + " for " + probed, Arg.of(init),
                new Arg.CStringArray(argv), new Arg.CStringArray(environ));
    }

    @Test
    void inAPidNamespaceTiniIsPidOneAndEachPathOfTheWalkIsProbedFirst() {
        ContainerSpec spec = Fixtures.spec().namespaces(Namespace.PID, Namespace.MOUNT).init()
                .environment(Map.of("PATH", "/a:/b/")).command("sleep", "100").build();
        List<String> environ = List.of("PATH=/a:/b/");
        assertEquals(List.of(
                probe("/a/sleep", "exec /a/sleep"),
                execInit(TINI, "/a/sleep", List.of(TINI, "--", "sleep", "100"), environ),
                probe("/b/sleep", "exec /b/sleep"),
                execInit(TINI, "/b/sleep", List.of(TINI, "--", "sleep", "100"), environ)),
                exec(spec, init(TINI)));
    }

    @Test
    void withoutAPidNamespaceTiniIsAChildSubreaper() {
        ContainerSpec spec = Fixtures.spec().init().environment(Map.of("PATH", "/a")).command("true").build();
        assertEquals(List.of(TINI, "-s", "--", "true"),
                ((Arg.CStringArray) exec(spec, init(TINI)).get(1).args().get(1)).values());
    }

    @Test
    void withoutPathTheInitGetsThePathFoundUnderIsolatesDefault() {
        ContainerSpec spec = Fixtures.spec().namespaces(Namespace.PID, Namespace.MOUNT).init().environment(Map.of())
                .command("sh", "-c", "exit 3").build();
        List<Step> steps = exec(spec, init(TINI));
        List<String> paths = List.of(ExecSteps.DEFAULT_PATH.split(":"));
        assertEquals(2 * paths.size(), steps.size());
        for (int i = 0; i < paths.size(); i++) {
            String path = paths.get(i) + "/sh";
            assertEquals(probe(path, "exec " + path), steps.get(2 * i));
            assertEquals(execInit(TINI, path, List.of(TINI, "--", path, "-c", "exit 3"), List.of()),
                    steps.get(2 * i + 1));
        }
    }

    @Test
    void aCommandWithASlashIsProbedOnceUnderItsName() {
        ContainerSpec spec = Fixtures.spec().namespaces(Namespace.PID, Namespace.MOUNT).init()
                .environment(Map.of("PATH", "/a")).command("./run", "x").build();
        assertEquals(List.of(probe("./run", "exec \"./run\""),
                execInit(TINI, "./run", List.of(TINI, "--", "./run", "x"), List.of("PATH=/a"))),
                exec(spec, init(TINI)));
    }

    @Test
    void inARootFilesystemTheChildExecutesTheBoundCopy() {
        ContainerSpec spec = Fixtures.spec().init().environment(Map.of("PATH", "/bin"))
                .rootfs(new RootFilesystem("/images/busybox", true, Optional.empty(), List.of())).command("sh").build();
        RootfsLayout layout = new RootfsLayout("/images/busybox", true, Optional.empty(), List.of(), Set.of(),
                List.of(), Set.of(), Set.of());
        List<Step> steps = exec(spec, new Prepared(Optional.of(layout), OptionalInt.empty(), Optional.empty(),
                Optional.empty(), Optional.of("/dev/init"), List.of(), OptionalInt.empty()));
        assertEquals(List.of(probe("/bin/sh", "exec /bin/sh"),
                execInit("/dev/init", "/bin/sh", List.of("/dev/init", "--", "sh"), List.of("PATH=/bin"))), steps);
    }

    @Test
    void anInitIsPreparedExactlyWhenTheSpecAsksForOne() {
        ContainerSpec withInit = Fixtures.spec().init().command("true").build();
        ContainerSpec without = Fixtures.spec().command("true").build();
        assertThrows(IllegalArgumentException.class, () -> Planner.plan(withInit, FACTS, Prepared.NOTHING));
        assertThrows(IllegalArgumentException.class, () -> Planner.plan(without, FACTS, init(TINI)));
    }
}
