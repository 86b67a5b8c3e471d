package dev.isolate.supervise;

import static dev.isolate.linux.Linux.*;

import dev.isolate.exit.ExitStatus;
import dev.isolate.exit.Failure;
import dev.isolate.host.CallerBytes;
import dev.isolate.step.Handshake;
import dev.isolate.step.LaunchPlan;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.ProgramImage;
import dev.isolate.sys.SpawnedProcess;
import dev.isolate.sys.Syscall;
import dev.isolate.sys.Trampoline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;

/** The supervisor's system calls, made through jffi, and the child started by the trampoline. */
public final class NativeSyscalls implements Syscalls {
    private final Kernel kernel = Kernel.get();
    private final Trampoline trampoline = Trampoline.load(kernel);
    /** Scratch native memory for pipe fds, report words and wait statuses. */
    private final long scratch = kernel.memory().allocateMemory(64, true);

    @Override
    public Handshake openHandshake() {
        int[] report = pipe();
        try {
            int[] release = pipe();
            return new Handshake(report[0], report[1], release[0], release[1]);
        } catch (RuntimeException e) {
            close(report[0]);
            close(report[1]);
            throw e;
        }
    }

    private int[] pipe() {
        check(kernel.call(Syscall.PIPE2, scratch, O_CLOEXEC), "pipe2");
        return new int[] {kernel.memory().getInt(scratch), kernel.memory().getInt(scratch + 4)};
    }

    @Override
    public Program load(LaunchPlan plan, Handshake pipes) {
        ProgramImage image = ProgramImage.of(plan, pipes, kernel);
        return new Program() {
            @Override
            public long start() {
                return trampoline.start(image);
            }

            @Override
            public void close() {
                image.close();
            }
        };
    }

    @Override
    public OptionalLong readReport(int fd) {
        long got = kernel.callRetrying(Syscall.READ, fd, scratch, Long.BYTES);
        check(got, "read the child's report");
        if (got == 0) {
            return OptionalLong.empty();
        }
        if (got != Long.BYTES) {
            throw Failure.step("read the child's report: " + got + " bytes instead of " + Long.BYTES);
        }
        return OptionalLong.of(kernel.memory().getLong(scratch));
    }

    @Override
    public void release(int fd) {
        kernel.memory().putByte(scratch, (byte) 1);
        check(kernel.callRetrying(Syscall.WRITE, fd, scratch, 1), "release the child");
    }

    @Override
    public void close(int fd) {
        kernel.call(Syscall.CLOSE, fd);
    }

    @Override
    public long writeProcFile(int pid, String file, String content) {
        long fd = kernel.open("/proc/" + pid + "/" + file, O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            return fd;
        }
        byte[] bytes = content.getBytes(StandardCharsets.US_ASCII);
        long buffer = kernel.memory().allocateMemory(Math.max(bytes.length, 1), false);
        try {
            kernel.memory().putByteArray(buffer, bytes, 0, bytes.length);
            // The kernel takes an id map in one write or not at all; anything less is refused.
            long written = kernel.call(Syscall.WRITE, fd, buffer, bytes.length);
            return written < 0 ? written : written == bytes.length ? 0 : -EIO;
        } finally {
            kernel.memory().freeMemory(buffer);
            kernel.call(Syscall.CLOSE, fd);
        }
    }

    @Override
    public int takeDescriptor(int pid, int fd, String what) {
        long pidfd = kernel.call(Syscall.PIDFD_OPEN, pid, 0);
        check(pidfd, what + ": pidfd_open");
        try {
            long taken = kernel.call(Syscall.PIDFD_GETFD, pidfd, fd, 0);
            check(taken, what + ": pidfd_getfd");
            return (int) taken;
        } finally {
            kernel.close((int) pidfd);
        }
    }

    @Override
    public HelperExit run(List<String> command) throws IOException {
        Kernel.Result<SpawnedProcess.Outcome> ran = SpawnedProcess.run(command, CallerBytes.environ(), new byte[0]);
        if (!ran.ok()) {
            throw new IOException("cannot run " + command.get(0) + ": " + kernel.errorText(ran.errno()));
        }
        return new HelperExit(ExitStatus.of(ran.value().waitStatus()),
                new String(ran.value().err(), StandardCharsets.UTF_8).strip());
    }

    @Override
    public void forwardSignals(int pid, List<Integer> signals) {
        trampoline.forwardTo(pid);
        for (int signal : signals) {
            trampoline.forward(signal);
        }
    }

    @Override
    public int waitFor(int pid) {
        check(kernel.callRetrying(Syscall.WAITID, P_PID, pid, scratch, WEXITED | WNOWAIT, 0), "wait for the child");
        trampoline.forwardTo(0);
        check(kernel.callRetrying(Syscall.WAIT4, pid, scratch, 0, 0), "reap the child");
        return kernel.memory().getInt(scratch);
    }

    @Override
    public void kill(int pid, int signal) {
        kernel.call(Syscall.KILL, pid, signal);
    }

    @Override
    public String errorText(int errno) {
        return kernel.errorText(errno);
    }

    private void check(long result, String what) {
        if (result < 0) {
            throw Failure.step(what + ": " + kernel.errorText((int) -result));
        }
    }
}
