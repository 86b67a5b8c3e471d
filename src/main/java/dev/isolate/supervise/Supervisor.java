package dev.isolate.supervise;

import static dev.isolate.linux.Linux.*;

import dev.isolate.exit.ExitStatus;
import dev.isolate.exit.Failure;
import dev.isolate.host.Caller;
import dev.isolate.host.Sysctl;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.Handshake;
import dev.isolate.step.LaunchPlan;
import dev.isolate.step.ParentStep;
import dev.isolate.step.Step;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Executes a launch plan: starts the child, takes it through the handshake (the parent's
 * steps, then the host's part through {@link ChildEvents#waiting}), forwards signals, and
 * turns the child's fate into isolate's exit status.
 */
public final class Supervisor {
    /** Signals passed on to the command (SIGKILL and SIGSTOP cannot be caught). */
    static final List<Integer> FORWARDED = List.of(SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM, SIGCONT,
            SIGWINCH);

    private final Syscalls sys;
    /** Who runs isolate: explains a refused clone. */
    private final Caller caller;
    /** -v output; messages are built only when it is on. */
    private final Consumer<Supplier<String>> diagnostics;

    public Supervisor(Syscalls sys, Caller caller, Consumer<Supplier<String>> diagnostics) {
        this.sys = sys;
        this.caller = caller;
        this.diagnostics = diagnostics;
    }

    /** A supervisor of real children. */
    public static Supervisor create(Caller caller, Consumer<Supplier<String>> diagnostics) {
        return new Supervisor(new NativeSyscalls(), caller, diagnostics);
    }

    /**
     * Runs the plan to completion.
     *
     * @return isolate's exit status: the command's own, or 128+N for death by signal N
     * @throws Failure when the command never ran: a step failed, or it could not be executed
     */
    public int run(LaunchPlan plan, ChildEvents events) {
        return execute(plan, events, Ending.WHEN_ENDED);
    }

    /**
     * Runs a plan that ends at a start gate (an OCI runtime's create) up to it: once the child
     * reports at its last pause, fully set up, it is released to wait at the gate, and left
     * to outlive isolate.
     *
     * @return the child's pid
     * @throws Failure when a step failed
     */
    public int startGated(LaunchPlan plan, ChildEvents events) {
        if (plan.sharesMemory()) {
            throw new IllegalArgumentException("a child that outlives isolate must not run on its memory");
        }
        return execute(plan, events, Ending.AT_GATE);
    }

    /**
     * Runs the plan until the command runs, and leaves it running (an OCI runtime's exec -d):
     * its plan arms no parent-death signal, and the engine's subreaper reaps it.
     *
     * @return the command's pid
     * @throws Failure when the command never ran
     */
    public int startDetached(LaunchPlan plan, ChildEvents events) {
        if (plan.sharesMemory()) {
            throw new IllegalArgumentException("a command left running must not run on isolate's memory");
        }
        return execute(plan, events, Ending.WHEN_RUNNING);
    }

    /** Where the supervisor leaves the child. */
    private enum Ending {
        /** When it has ended: its exit status. */
        WHEN_ENDED,
        /** Released at its start gate: its pid. */
        AT_GATE,
        /** Once the command runs: its pid. */
        WHEN_RUNNING
    }

    private int execute(LaunchPlan plan, ChildEvents events, Ending ending) {
        diagnostics.accept(() -> describe(plan));
        Launch launch = new Launch(plan, sys.openHandshake());
        try (Syscalls.Program program = sys.load(plan, launch.pipes)) {
            long pid = program.start();
            if (pid < 0) {
                int errno = (int) -pid;
                throw Failure.step("clone: " + sys.errorText(errno) + CloneErrors.hint(errno,
                        (plan.cloneFlags() & CLONE_NEWUSER) != 0, caller, sysctls()));
            }
            launch.unreaped = (int) pid;
            diagnostics.accept(() -> "child " + pid + " started");
            launch.close(launch.pipes.reportWrite());
            launch.close(launch.pipes.releaseRead());
            try {
                return launch.supervise(events, ending);
            } catch (RuntimeException e) {
                // The child may still be running on the program: it must be gone before the
                // program is freed, and it must never outlive a launch that failed.
                if (launch.unreaped != 0) {
                    sys.kill(launch.unreaped, SIGKILL);
                    launch.waitFor(launch.unreaped);
                }
                throw e;
            }
        } finally {
            launch.closeAll();
        }
    }

    /** One launch: its pipes, and the process isolate has to reap. */
    private final class Launch {
        private final LaunchPlan plan;
        private final Handshake pipes;
        private final List<Integer> openFds = new ArrayList<>();
        /** The child while it has not been reaped, or 0. */
        private int unreaped;

        Launch(LaunchPlan plan, Handshake pipes) {
            this.plan = plan;
            this.pipes = pipes;
            openFds.addAll(List.of(pipes.reportRead(), pipes.reportWrite(), pipes.releaseRead(),
                    pipes.releaseWrite()));
        }

        /** @return the exit status, or the pid of the child left at its gate or running (see {@link Ending}) */
        int supervise(ChildEvents events, Ending ending) {
            int pid = unreaped;
            OptionalLong first = sys.readReport(pipes.reportRead());
            if (plan.forks()) {
                // The child clones the command's process and leaves; the two report its pid and
                // "armed" in either order.
                boolean armedFirst = isArmed(first);
                OptionalLong announcement = armedFirst ? sys.readReport(pipes.reportRead()) : first;
                if (announcement.isEmpty() || (announcement.getAsLong() & LaunchPlan.NEW_PROCESS) == 0) {
                    return failedOrDied(pid, announcement);
                }
                waitFor(pid);
                pid = (int) (announcement.getAsLong() & ~LaunchPlan.NEW_PROCESS);
                unreaped = pid;
                int process = pid;
                diagnostics.accept(() -> "command's process " + process + " started");
                first = armedFirst ? OptionalLong.of(LaunchPlan.ARMED) : sys.readReport(pipes.reportRead());
            }
            for (int i = 0; i < plan.pauses().size(); i++) {
                OptionalLong report = i == 0 ? first : sys.readReport(pipes.reportRead());
                if (report.isEmpty() || report.getAsLong() != (i == 0 ? LaunchPlan.ARMED : LaunchPlan.PAUSED)) {
                    return failedOrDied(pid, report);
                }
                // From the first pause on, the child dies with us (parent-death signal) and waits.
                for (ParentStep step : plan.pauses().get(i).parentSteps()) {
                    perform(step, pid, events);
                }
                if (i == 0) {
                    events.waiting(pid);
                    if (ending == Ending.WHEN_ENDED) {
                        sys.forwardSignals(pid, FORWARDED);
                    }
                }
                sys.release(pipes.releaseWrite());
            }
            if (ending == Ending.AT_GATE) {
                unreaped = 0; // the engine's subreaper reaps it
                int waiting = pid;
                diagnostics.accept(() -> "child " + waiting + " waits at its start gate");
                return pid;
            }
            close(pipes.releaseWrite());
            OptionalLong report = sys.readReport(pipes.reportRead());
            if (report.isPresent()) {
                return failedOrDied(pid, report);
            }
            diagnostics.accept(() -> "command running");
            events.running(pid);
            if (ending == Ending.WHEN_RUNNING) {
                unreaped = 0;
                return pid;
            }
            return waitFor(pid);
        }

        private boolean isArmed(OptionalLong report) {
            return report.isPresent() && report.getAsLong() == LaunchPlan.ARMED;
        }

        private void perform(ParentStep step, int pid, ChildEvents events) {
            diagnostics.accept(() -> "parent: " + describe(step));
            if (step instanceof ParentStep.TakeDescriptor take) {
                int fd = sys.takeDescriptor(pid, pipes.fd(take.at()), take.what());
                openFds.add(fd);
                events.took(take, fd);
            } else if (step instanceof ParentStep.WriteProcFile write) {
                long result = sys.writeProcFile(pid, write.file(), write.content());
                if (result == -EPERM && write.file().endsWith("_map")) {
                    throw Failure.step(write.what() + ": " + sys.errorText(EPERM) + " (the kernel refused the"
                            + " mapping: every outside id must exist in isolate's own user namespace)");
                }
                if (result < 0) {
                    throw Failure.step(write.what() + ": " + sys.errorText((int) -result));
                }
            } else if (step instanceof ParentStep.RunHelper helper) {
                runHelper(pid, helper);
            }
        }

        private void runHelper(int pid, ParentStep.RunHelper helper) {
            List<String> command = new ArrayList<>();
            command.add(helper.program());
            command.add(Integer.toString(pid));
            command.addAll(helper.args());
            Syscalls.HelperExit exit;
            try {
                exit = sys.run(command);
            } catch (IOException e) {
                throw Failure.step(helper.what() + ": " + Failure.reason(e));
            }
            if (exit.status() != 0) {
                String err = exit.error();
                String why = err.isEmpty() ? "exit status " + exit.status()
                        : err.lines().reduce((a, b) -> b).orElse(err);
                throw Failure.step(helper.what() + ": " + why);
            }
        }

        /** The child stopped before execve: either it reported a failed step, or it was killed. */
        private int failedOrDied(int pid, OptionalLong report) {
            int status = waitFor(pid);
            if (report.isEmpty()) {
                return status; // killed during setup, by a signal: its status says which
            }
            int index = (int) (report.getAsLong() >>> LaunchPlan.FAILED_STEP_SHIFT);
            int errno = (int) report.getAsLong();
            Step step = plan.childSteps().get(index);
            String what = step.what();
            boolean notFound = ExitStatus.ofExecError(errno) == ExitStatus.NOT_FOUND;
            if (step.check() == Check.EXEC_CANDIDATE && notFound
                    && step.args().size() > 1 && step.args().get(1) instanceof Arg.CStringArray argv) {
                what = "exec \"" + argv.values().get(0) + "\""; // found in no PATH entry: say the name, not the last path
            }
            if (step.check() == Check.EXEC_PROBE && notFound && step.args().size() > 1
                    && step.args().get(1) instanceof Arg.CString probed && what.equals("exec " + probed.value())) {
                // a probe of the PATH walk (named after its path, unquoted): PATH entry + "/" + the name
                what = "exec \"" + probed.value().substring(probed.value().lastIndexOf('/') + 1) + "\"";
            }
            String message = what + ": " + (errno == 0 ? "unexpected result" : sys.errorText(errno));
            throw step.call() == Call.EXECVE || step.check() == Check.EXEC_PROBE ? Failure.exec(message, errno)
                    : Failure.step(message);
        }

        /** Waits for the process to end and returns the exit status for it. */
        private int waitFor(int pid) {
            int status = ExitStatus.of(sys.waitFor(pid));
            if (unreaped == pid) {
                unreaped = 0;
            }
            diagnostics.accept(() -> "child " + pid + " ended, exit status " + status);
            return status;
        }

        void close(int fd) {
            if (openFds.remove(Integer.valueOf(fd))) {
                sys.close(fd);
            }
        }

        void closeAll() {
            new ArrayList<>(openFds).forEach(this::close);
        }
    }

    /** The sysctls that explain a refused clone, those that exist. */
    private static Map<String, String> sysctls() {
        Map<String, String> values = new HashMap<>();
        for (String file : List.of(CloneErrors.MAX_USER_NAMESPACES, CloneErrors.UNPRIVILEGED_USERNS_CLONE,
                CloneErrors.APPARMOR_RESTRICT)) {
            Sysctl.read(file).ifPresent(value -> values.put(file, value));
        }
        return values;
    }

    private static String describe(ParentStep step) {
        if (step instanceof ParentStep.TakeDescriptor take) {
            return take.what();
        }
        if (step instanceof ParentStep.WriteProcFile write) {
            return "write /proc/CHILD/" + write.file() + ": " + write.content().strip().replace('\n', ',');
        }
        ParentStep.RunHelper helper = (ParentStep.RunHelper) step;
        return helper.program() + " CHILD " + String.join(" ", helper.args());
    }

    private static String describe(LaunchPlan plan) {
        StringBuilder text = new StringBuilder(String.format("clone flags 0x%x, child steps:", plan.cloneFlags()));
        List<Step> steps = plan.childSteps();
        for (int i = 0; i < steps.size(); i++) {
            text.append(String.format("%n  %2d %s", i, steps.get(i).what()));
        }
        return text.toString();
    }
}
