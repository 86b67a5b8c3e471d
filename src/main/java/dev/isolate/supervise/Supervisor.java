package dev.isolate.supervise;

import static dev.isolate.sys.Linux.*;

import dev.isolate.plan.Call;
import dev.isolate.plan.Handshake;
import dev.isolate.plan.Host;
import dev.isolate.plan.JoinTarget;
import dev.isolate.plan.LaunchContext;
import dev.isolate.plan.LaunchPlan;
import dev.isolate.plan.ParentStep;
import dev.isolate.plan.Planner;
import dev.isolate.plan.Step;
import dev.isolate.rootfs.RootfsLayout;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.JoinSpec;
import dev.isolate.spec.Namespace;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.ProgramImage;
import dev.isolate.sys.Syscall;
import dev.isolate.sys.Trampoline;
import dev.isolate.userns.CloneErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * Starts the child, takes it through the handshake, forwards signals, and turns its fate
 * into isolate's exit status.
 */
public final class Supervisor {
    /** Signals passed on to the command (SIGKILL and SIGSTOP cannot be caught). */
    static final int[] FORWARDED = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM, SIGCONT, SIGWINCH};
    private static final long NO_REPORT = Long.MIN_VALUE;

    private final Kernel kernel;
    private final Trampoline trampoline;
    /** -v output; messages are built only when it is on. */
    private final Consumer<Supplier<String>> diagnostics;
    /** Scratch native memory for pipe fds, report words, paths and wait statuses. */
    private final long scratch;
    private static final int SCRATCH_SIZE = 4096 + 64;
    private final List<Integer> openFds = new ArrayList<>();
    /** The child while it has not been reaped, or 0. */
    private int unreaped;

    public Supervisor(Consumer<Supplier<String>> diagnostics) {
        this.kernel = Kernel.get();
        this.trampoline = Trampoline.load(kernel);
        this.diagnostics = diagnostics;
        this.scratch = kernel.memory().allocateMemory(SCRATCH_SIZE, true);
    }

    /**
     * Runs the spec to completion and returns isolate's exit status.
     *
     * @param rootfs        the spec's root filesystem as prepared on the host, if it has one
     * @param joinedNetwork the network namespace to enter, when the spec joins one
     * @param configure     told the child's pid while it waits, after its id maps are written:
     *                      the host's part of its setup
     * @param onRunning     told the command's pid once it runs
     */
    public int run(ContainerSpec spec, Host host, Optional<RootfsLayout> rootfs, OptionalInt joinedNetwork,
            IntConsumer configure, IntConsumer onRunning) {
        return launch(pipes -> Planner.plan(spec, new LaunchContext(pipes, trampoline.handledSignals(), host, rootfs,
                joinedNetwork)), spec.namespaces().contains(Namespace.USER), host, configure, onRunning);
    }

    /** Runs a command in a running process's namespaces to completion (isolate exec). */
    public int join(JoinSpec spec, JoinTarget target, Host host) {
        return launch(pipes -> Planner.planJoin(spec, target, new LaunchContext(pipes, trampoline.handledSignals(),
                host, Optional.empty(), OptionalInt.empty())), false, host, pid -> { }, pid -> { });
    }

    private int launch(Function<Handshake, LaunchPlan> planner, boolean userNamespace, Host host,
            IntConsumer configure, IntConsumer onRunning) {
        try {
            Handshake pipes = openPipes();
            LaunchPlan plan = planner.apply(pipes);
            diagnostics.accept(() -> describe(plan));
            // The child reads the image until it has exec'd, so it lives as long as the launch.
            try (ProgramImage image = ProgramImage.of(plan, pipes.reportWrite(), kernel)) {
                long pid = trampoline.start(image);
                unreaped = (int) Math.max(pid, 0);
                if (pid < 0) {
                    int errno = (int) -pid;
                    throw new LaunchFailure("clone: " + kernel.errorText(errno) + CloneErrors.hint(errno,
                            userNamespace, host.caller(), sysctls()), ExitStatus.SETUP_FAILED);
                }
                diagnostics.accept(() -> "child " + pid + " started");
                close(pipes.reportWrite());
                close(pipes.releaseRead());
                try {
                    return supervise(plan, pipes, (int) pid, configure, onRunning);
                } catch (RuntimeException e) {
                    // The child may still be running on the image: it must be gone before the
                    // image is freed, and it must never outlive a launch that failed.
                    if (unreaped != 0) {
                        kernel.call(Syscall.KILL, unreaped, SIGKILL);
                        waitFor(unreaped);
                    }
                    throw e;
                }
            }
        } finally {
            new ArrayList<>(openFds).forEach(this::close);
        }
    }

    private int supervise(LaunchPlan plan, Handshake pipes, int child, IntConsumer configure,
            IntConsumer onRunning) {
        int pid = child;
        long first = readReport(pipes.reportRead());
        if (plan.forks()) {
            // The child clones the command's process and leaves; the two report its pid and
            // "armed" in either order.
            boolean armedFirst = first == LaunchPlan.ARMED;
            long announcement = armedFirst ? readReport(pipes.reportRead()) : first;
            if (announcement == NO_REPORT || (announcement & LaunchPlan.NEW_PROCESS) == 0) {
                return failedOrDied(plan, pid, announcement);
            }
            waitFor(pid);
            pid = (int) (announcement & ~LaunchPlan.NEW_PROCESS);
            unreaped = pid;
            int process = pid;
            diagnostics.accept(() -> "command's process " + process + " started");
            first = armedFirst ? LaunchPlan.ARMED : readReport(pipes.reportRead());
        }
        if (first != LaunchPlan.ARMED) {
            return failedOrDied(plan, pid, first);
        }
        // The child now dies with us (parent-death signal) and waits for its release.
        for (ParentStep step : plan.parentSteps()) {
            perform(step, pid);
        }
        configure.accept(pid);
        trampoline.forwardTo(pid);
        for (int signal : FORWARDED) {
            trampoline.forward(signal);
        }
        kernel.memory().putByte(scratch, (byte) 1);
        check(kernel.callRetrying(Syscall.WRITE, pipes.releaseWrite(), scratch, 1), "release the child");
        close(pipes.releaseWrite());
        long report = readReport(pipes.reportRead());
        if (report != NO_REPORT) {
            return failedOrDied(plan, pid, report);
        }
        diagnostics.accept(() -> "command running");
        onRunning.accept(pid);
        return waitFor(pid);
    }

    private void perform(ParentStep step, int pid) {
        diagnostics.accept(() -> "parent: " + describe(step));
        if (step instanceof ParentStep.WriteProcFile write) {
            writeProcFile(pid, write);
        } else if (step instanceof ParentStep.RunHelper helper) {
            runHelper(pid, helper);
        }
    }

    /** One write(2): id maps must arrive whole. */
    private void writeProcFile(int pid, ParentStep.WriteProcFile write) {
        byte[] path = ("/proc/" + pid + "/" + write.file() + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] content = write.content().getBytes(StandardCharsets.US_ASCII);
        if (path.length + content.length > SCRATCH_SIZE) {
            throw new LaunchFailure(write.what() + ": too long", ExitStatus.SETUP_FAILED);
        }
        kernel.memory().putByteArray(scratch, path, 0, path.length);
        long fd = kernel.call(Syscall.OPENAT, AT_FDCWD, scratch, O_WRONLY | O_CLOEXEC);
        check(fd, write.what());
        try {
            kernel.memory().putByteArray(scratch, content, 0, content.length);
            long written = kernel.call(Syscall.WRITE, fd, scratch, content.length);
            if (written == -EPERM && write.file().endsWith("_map")) {
                throw new LaunchFailure(write.what() + ": " + kernel.errorText(EPERM) + " (the kernel refused the"
                        + " mapping: every outside id must exist in isolate's own user namespace)",
                        ExitStatus.SETUP_FAILED);
            }
            check(written, write.what());
        } finally {
            kernel.call(Syscall.CLOSE, fd);
        }
    }

    private void runHelper(int pid, ParentStep.RunHelper helper) {
        List<String> command = new ArrayList<>();
        command.add(helper.program());
        command.add(Integer.toString(pid));
        command.addAll(helper.args());
        try {
            Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            process.getOutputStream().close();
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int status = process.waitFor();
            if (status != 0) {
                String why = err.isEmpty() ? "exit status " + status : err.lines().reduce((a, b) -> b).orElse(err);
                throw new LaunchFailure(helper.what() + ": " + why, ExitStatus.SETUP_FAILED);
            }
        } catch (IOException e) {
            throw new LaunchFailure(helper.what() + ": " + e.getMessage(), ExitStatus.SETUP_FAILED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchFailure(helper.what() + ": interrupted", ExitStatus.SETUP_FAILED);
        }
    }

    /** The child stopped before execve: either it reported a failed step, or it was killed. */
    private int failedOrDied(LaunchPlan plan, int pid, long report) {
        int status = waitFor(pid);
        if (report == NO_REPORT) {
            return status; // killed during setup, by a signal: its status says which
        }
        int index = (int) (report >>> 32);
        int errno = (int) report;
        Step step = plan.childSteps().get(index);
        String why = errno == 0 ? "unexpected result" : kernel.errorText(errno);
        int exit = step.call() == Call.EXECVE ? ExitStatus.ofExecError(errno) : ExitStatus.SETUP_FAILED;
        throw new LaunchFailure(step.what() + ": " + why, exit);
    }

    /** One report word, or {@link #NO_REPORT} at end-of-file. */
    private long readReport(int fd) {
        long got = kernel.callRetrying(Syscall.READ, fd, scratch, Long.BYTES);
        check(got, "read the child's report");
        if (got == 0) {
            return NO_REPORT;
        }
        if (got != Long.BYTES) {
            throw new IllegalStateException("short report from the child: " + got + " bytes");
        }
        return kernel.memory().getLong(scratch);
    }

    /**
     * Waits for the child to end and returns the exit status for it. The child is first waited
     * for without reaping, so forwarding stops while its pid cannot yet belong to anyone else.
     */
    private int waitFor(int pid) {
        check(kernel.callRetrying(Syscall.WAITID, P_PID, pid, scratch, WEXITED | WNOWAIT, 0), "wait for the child");
        trampoline.forwardTo(0);
        check(kernel.callRetrying(Syscall.WAIT4, pid, scratch, 0, 0), "reap the child");
        unreaped = 0;
        int status = ExitStatus.of(kernel.memory().getInt(scratch));
        diagnostics.accept(() -> "child " + pid + " ended, exit status " + status);
        return status;
    }

    private Handshake openPipes() {
        int[] report = pipe();
        int[] release = pipe();
        return new Handshake(report[0], report[1], release[0], release[1]);
    }

    private int[] pipe() {
        check(kernel.call(Syscall.PIPE2, scratch, O_CLOEXEC), "pipe2");
        int[] fds = {kernel.memory().getInt(scratch), kernel.memory().getInt(scratch + 4)};
        openFds.add(fds[0]);
        openFds.add(fds[1]);
        return fds;
    }

    private void close(int fd) {
        if (openFds.remove(Integer.valueOf(fd))) {
            kernel.call(Syscall.CLOSE, fd);
        }
    }

    private void check(long result, String what) {
        if (result < 0) {
            throw new LaunchFailure(what + ": " + kernel.errorText((int) -result), ExitStatus.SETUP_FAILED);
        }
    }

    /** The sysctls that explain a refused clone, those that exist. */
    private static Map<String, String> sysctls() {
        Map<String, String> values = new HashMap<>();
        for (String file : List.of(CloneErrors.MAX_USER_NAMESPACES, CloneErrors.UNPRIVILEGED_USERNS_CLONE,
                CloneErrors.APPARMOR_RESTRICT)) {
            try {
                values.put(file, Files.readString(Path.of(file)).trim());
            } catch (IOException absent) {
                // this kernel has no such knob
            }
        }
        return values;
    }

    private static String describe(ParentStep step) {
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
