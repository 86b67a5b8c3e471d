package dev.isolate.supervise;

import dev.isolate.step.Handshake;
import dev.isolate.step.LaunchPlan;
import java.io.IOException;
import java.util.List;
import java.util.OptionalLong;

/**
 * What the supervisor asks of the kernel, as one interface: {@link NativeSyscalls} is the
 * real one (jffi and the trampoline), and tests give the supervisor a scripted child, so that
 * its handshake is unit-tested without root. Failures of the calls themselves (a pipe that
 * cannot be read, a wait that fails) are {@link dev.isolate.exit.Failure}s.
 */
public interface Syscalls {
    /** Two close-on-exec pipes for a launch's handshake. */
    Handshake openHandshake();

    /** The plan laid out in memory, ready to run. */
    Program load(LaunchPlan plan, Handshake pipes);

    /**
     * A loaded plan. The child reads it until it has exec'd (it may share isolate's memory),
     * so it is closed only once the child has ended.
     */
    interface Program extends AutoCloseable {
        /** Clones the child that runs the plan: its pid, or -errno. */
        long start();

        @Override
        void close();
    }

    /** The next word the child reported, or empty at end-of-file. */
    OptionalLong readReport(int fd);

    /** Writes the byte that lets the child go on. */
    void release(int fd);

    void close(int fd);

    /** Writes {@code content} to /proc/PID/{@code file} in one write(2): 0, or -errno. */
    long writeProcFile(int pid, String file, String content);

    /**
     * A copy of the descriptor at {@code fd} in the child's table (pidfd_open, pidfd_getfd):
     * the parent's own, close-on-exec.
     *
     * @param what how the step is named when it fails
     */
    int takeDescriptor(int pid, int fd, String what);

    /** Runs a helper program to its end. */
    HelperExit run(List<String> command) throws IOException;

    /** How a helper ended; {@code error} is what it printed on stderr. */
    record HelperExit(int status, String error) {
    }

    /** From now on, these signals sent to isolate go to {@code pid}. */
    void forwardSignals(int pid, List<Integer> signals);

    /**
     * Waits for the process to end, stops forwarding signals to it while its pid cannot yet
     * belong to anyone else, then reaps it.
     *
     * @return its wait(2) status
     */
    int waitFor(int pid);

    void kill(int pid, int signal);

    /** The C library's text for an errno value. */
    String errorText(int errno);
}
