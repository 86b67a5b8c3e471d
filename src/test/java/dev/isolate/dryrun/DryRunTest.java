package dev.isolate.dryrun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.linux.Linux;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.Handshake;
import dev.isolate.step.LaunchPlan;
import dev.isolate.step.ParentStep;
import dev.isolate.step.Pause;
import dev.isolate.step.Step;
import java.util.List;
import org.junit.jupiter.api.Test;

class DryRunTest {
    private static final Step WAIT = Step.of(Call.READ, Check.exactly(1), "wait for the parent",
            Arg.of(Handshake.End.RELEASE_READ), new Arg.Bytes(new byte[1]), Arg.of(1));
    private static final DryRun RUN = new DryRun(List.of("sh", "-c", "echo \"hi\""),
            List.of(HostAction.before("make a \"thing\"", List.of("mkdir /x")),
                    HostAction.whileWaiting("connect it", List.of("ip -batch -", "EOF"))),
            new LaunchPlan(Linux.CLONE_NEWUTS | Linux.SIGCHLD, true, List.of(WAIT,
                    Step.of(Call.SETHOSTNAME, Check.SUCCESS, "sethostname \"h\"", Arg.of("h"), Arg.of(1)),
                    Step.of(Call.EXECVE, Check.EXEC_CANDIDATE, "exec \"sh\"", Arg.of("/bin/sh"),
                            new Arg.CStringArray(List.of("sh", "-c", "echo \"hi\"")), new Arg.CStringArray(List.of()))),
                    List.of(new Pause(List.of(new ParentStep.WriteProcFile("setgroups", "deny", "setgroups"))))));

    @Test
    void textInTheLaunchsOrderNumberedAsVerboseNumbersSteps() {
        String text = RUN.text();
        List<String> lines = text.lines().toList();
        assertTrue(lines.get(0).startsWith("# isolate --dry-run: nothing was done."), text);
        assertEquals(List.of("host, before the clone:", "  make a \"thing\"", "    mkdir /x",
                "clone(child_stack=<the program's stack>, flags=CLONE_VM|CLONE_NEWUTS|SIGCHLD)",
                "parent, while the child waits:",
                "  openat(AT_FDCWD, \"/proc/CHILD/setgroups\", O_WRONLY|O_CLOEXEC), write(<that fd>, \"deny\", 4),"
                        + " close(<that fd>)  # setgroups",
                "host, while the child waits:", "  connect it", "    ip -batch -", "    EOF", "child:",
                "   0 read(<release pipe, read end>, buf, 1)  # wait for the parent (must return 1)",
                "   1 sethostname(\"h\", 1)  # sethostname \"h\"",
                "   2 execve(\"/bin/sh\", [\"sh\", \"-c\", \"echo \\\"hi\\\"\"], /* 0 vars */)  # exec \"sh\""
                        + " (if not found or not permitted, the next)"), lines.subList(1, lines.size()));
    }

    @Test
    void jsonHoldsTheSameInOneDocument() {
        assertEquals("{\"command\": [\"sh\", \"-c\", \"echo \\\"hi\\\"\"], \"host\": ["
                + "{\"stage\": \"before clone\", \"what\": \"make a \\\"thing\\\"\", \"lines\": [\"mkdir /x\"]}, "
                + "{\"stage\": \"while child waits\", \"what\": \"connect it\", \"lines\": [\"ip -batch -\", \"EOF\"]}], "
                + "\"clone\": {\"call\": \"clone(child_stack=<the program's stack>, flags=CLONE_VM|CLONE_NEWUTS|SIGCHLD)\","
                + " \"flags\": 67108881, \"sharesMemory\": true}, "
                + "\"parent\": [{\"what\": \"setgroups\", \"call\": \"openat(AT_FDCWD, \\\"/proc/CHILD/setgroups\\\","
                + " O_WRONLY|O_CLOEXEC), write(<that fd>, \\\"deny\\\", 4), close(<that fd>)\", \"whileStep\": 0}], "
                + "\"child\": [{\"step\": 0, \"syscall\": \"read\", \"call\": \"read(<release pipe, read end>, buf, 1)\","
                + " \"what\": \"wait for the parent\", \"check\": \"exactly 1\"}, "
                + "{\"step\": 1, \"syscall\": \"sethostname\", \"call\": \"sethostname(\\\"h\\\", 1)\","
                + " \"what\": \"sethostname \\\"h\\\"\", \"check\": \"success\"}, "
                + "{\"step\": 2, \"syscall\": \"execve\", \"call\": \"execve(\\\"/bin/sh\\\", [\\\"sh\\\", \\\"-c\\\","
                + " \\\"echo \\\\\\\"hi\\\\\\\"\\\"], /* 0 vars */)\", \"what\": \"exec \\\"sh\\\"\","
                + " \"check\": \"exec candidate\"}]}\n", RUN.json());
    }

    @Test
    void aLaterPauseShowsTheParentsWorkWithTheStepItWaitsIn() {
        Step again = Step.of(Call.READ, Check.exactly(1), "wait again", Arg.of(Handshake.End.RELEASE_READ),
                new Arg.Bytes(new byte[1]), Arg.of(1));
        ParentStep take = new ParentStep.TakeDescriptor(Handshake.End.REPORT_READ, "take the terminal's master");
        DryRun run = new DryRun(List.of("sh"), List.of(), new LaunchPlan(Linux.SIGCHLD, true, List.of(WAIT, again,
                Step.of(Call.EXECVE, Check.SUCCESS, "exec \"/bin/sh\"", Arg.of("/bin/sh"),
                        new Arg.CStringArray(List.of("sh")), new Arg.CStringArray(List.of()))),
                List.of(new Pause(List.of()), new Pause(List.of(take)))));
        assertTrue(run.text().contains("clone(child_stack=<the program's stack>, flags=CLONE_VM|SIGCHLD)\n"
                + "parent, while the child waits again (step 1):\n"
                + "  pidfd_getfd(pidfd_open(CHILD, 0), <report pipe, read end>, 0)  # take the terminal's master\n"
                + "child:\n"), run.text());
        assertTrue(run.json().contains("\"parent\": [{\"what\": \"take the terminal's master\", \"call\":"
                + " \"pidfd_getfd(pidfd_open(CHILD, 0), <report pipe, read end>, 0)\", \"whileStep\": 1}]"), run.json());
    }
}
