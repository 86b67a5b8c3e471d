package dev.isolate.dryrun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.linux.Linux;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.LaunchPlan;
import dev.isolate.step.ParentStep;
import dev.isolate.step.Step;
import java.util.List;
import org.junit.jupiter.api.Test;

class DryRunTest {
    private static final DryRun RUN = new DryRun(List.of("sh", "-c", "echo \"hi\""),
            List.of(HostAction.before("make a \"thing\"", List.of("mkdir /x")),
                    HostAction.whileWaiting("connect it", List.of("ip -batch -", "EOF"))),
            new LaunchPlan(Linux.CLONE_NEWUTS | Linux.SIGCHLD, true, List.of(
                    Step.of(Call.SETHOSTNAME, Check.SUCCESS, "sethostname \"h\"", Arg.of("h"), Arg.of(1)),
                    Step.of(Call.EXECVE, Check.EXEC_CANDIDATE, "exec \"sh\"", Arg.of("/bin/sh"),
                            new Arg.CStringArray(List.of("sh", "-c", "echo \"hi\"")), new Arg.CStringArray(List.of()))),
                    List.of(new ParentStep.WriteProcFile("setgroups", "deny", "setgroups"))));

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
                "   0 sethostname(\"h\", 1)  # sethostname \"h\"",
                "   1 execve(\"/bin/sh\", [\"sh\", \"-c\", \"echo \\\"hi\\\"\"], /* 0 vars */)  # exec \"sh\""
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
                + " O_WRONLY|O_CLOEXEC), write(<that fd>, \\\"deny\\\", 4), close(<that fd>)\"}], "
                + "\"child\": [{\"step\": 0, \"syscall\": \"sethostname\", \"call\": \"sethostname(\\\"h\\\", 1)\","
                + " \"what\": \"sethostname \\\"h\\\"\", \"check\": \"success\"}, "
                + "{\"step\": 1, \"syscall\": \"execve\", \"call\": \"execve(\\\"/bin/sh\\\", [\\\"sh\\\", \\\"-c\\\","
                + " \\\"echo \\\\\\\"hi\\\\\\\"\\\"], /* 0 vars */)\", \"what\": \"exec \\\"sh\\\"\","
                + " \"check\": \"exec candidate\"}]}\n", RUN.json());
    }
}
