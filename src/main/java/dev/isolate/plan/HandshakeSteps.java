package dev.isolate.plan;

import static dev.isolate.linux.Linux.AT_FDCWD;
import static dev.isolate.linux.Linux.O_CLOEXEC;
import static dev.isolate.linux.Linux.O_WRONLY;
import static dev.isolate.linux.Linux.PR_SET_PDEATHSIG;
import static dev.isolate.linux.Linux.SIGACTION_SIZE;
import static dev.isolate.linux.Linux.SIGKILL;
import static dev.isolate.linux.Linux.SIGSET_SIZE;
import static dev.isolate.linux.Linux.SIG_SETMASK;

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

/** The child's first steps: leave isolate's state behind, then the handshake with the parent. */
final class HandshakeSteps {
    private HandshakeSteps() {
    }

    /**
     * Close isolate's pipe ends, and leave its signal handlers and mask behind.
     *
     * @param handsOver the child will put a descriptor at the report pipe's read end for the
     *                  parent to take (see {@link Handshake}): its copy stays open until then
     */
    static void leaveIsolatesState(List<Integer> handledSignals, boolean handsOver, List<Step> steps) {
        if (!handsOver) {
            steps.add(Step.of(Call.CLOSE, Check.SUCCESS, "close the parent's end of the report pipe",
                    Arg.of(Handshake.End.REPORT_READ)));
        }
        // Without this the release pipe would never reach end-of-file when the parent dies.
        steps.add(Step.of(Call.CLOSE, Check.SUCCESS, "close the parent's end of the release pipe",
                Arg.of(Handshake.End.RELEASE_WRITE)));
        byte[] defaultAction = new byte[SIGACTION_SIZE]; // SIG_DFL, no flags, empty mask
        for (int signal : handledSignals) {
            steps.add(Step.of(Call.RT_SIGACTION, Check.SUCCESS, "reset the handler of signal " + signal,
                    Arg.of(signal), new Arg.Bytes(defaultAction), Arg.of(0), Arg.of(SIGSET_SIZE)));
        }
        // The parent blocked every signal around clone(); the command starts with none blocked.
        steps.add(Step.of(Call.RT_SIGPROCMASK, Check.SUCCESS, "unblock signals",
                Arg.of(SIG_SETMASK), new Arg.Bytes(new byte[SIGSET_SIZE]), Arg.of(0), Arg.of(SIGSET_SIZE)));
    }

    /** Arm the parent-death signal, tell the parent, and wait for its release. */
    static void armAndWait(List<Step> steps) {
        armAndWait(true, steps);
    }

    /**
     * @param parentDeath arm the parent-death signal; not for a child meant to outlive isolate
     *                    (an OCI runtime's create), which still exits at end-of-file on the release pipe
     */
    static void armAndWait(boolean parentDeath, List<Step> steps) {
        if (parentDeath) {
            steps.add(Step.of(Call.PRCTL, Check.SUCCESS, "set the parent-death signal",
                    Arg.of(PR_SET_PDEATHSIG), Arg.of(SIGKILL)));
        }
        // Only after this word may the parent release us: if it died before we armed the
        // signal it never wrote the byte, and the read below sees end-of-file.
        steps.add(Step.of(Call.WRITE, Check.exactly(Long.BYTES), "report to the parent",
                Arg.of(Handshake.End.REPORT_WRITE), new Arg.Bytes(longBytes(LaunchPlan.ARMED)), Arg.of(Long.BYTES)));
        steps.add(Step.of(Call.READ, Check.exactly(1), "wait for the parent (it exited)",
                Arg.of(Handshake.End.RELEASE_READ), new Arg.Bytes(new byte[1]), Arg.of(1)));
    }

    /**
     * A later pause: tell the parent, and wait until it has done {@code parentSteps}. The
     * parent-death signal is armed already, so end-of-file means the parent died.
     */
    static Pause pause(List<ParentStep> parentSteps, List<Step> steps) {
        steps.add(Step.of(Call.WRITE, Check.exactly(Long.BYTES), "report a pause to the parent",
                Arg.of(Handshake.End.REPORT_WRITE), new Arg.Bytes(longBytes(LaunchPlan.PAUSED)), Arg.of(Long.BYTES)));
        steps.add(Step.of(Call.READ, Check.exactly(1), "wait for the parent again (it exited)",
                Arg.of(Handshake.End.RELEASE_READ), new Arg.Bytes(new byte[1]), Arg.of(1)));
        return new Pause(parentSteps);
    }

    /**
     * The start gate of an OCI runtime's create: the parent is told that the set-up is done
     * and leaves once it releases the child; the report pipe is closed so that a later failure
     * ends the child with status 125 instead of a SIGPIPE; the FIFO is opened through the
     * descriptor the child inherited (its host path is outside the container's root now),
     * which blocks until start opens it for reading, and one byte written tells start that the
     * command is about to run.
     */
    static Pause startGate(int fifo, List<Step> steps) {
        Pause setUp = pause(List.of(), steps);
        steps.add(Step.of(Call.CLOSE, Check.SUCCESS, "close the report pipe",
                Arg.of(Handshake.End.REPORT_WRITE)));
        String path = "/proc/self/fd/" + fifo;
        steps.add(Step.of(Call.OPENAT, Check.SUCCESS, "open the start FIFO, and wait for start",
                Arg.of(AT_FDCWD), Arg.of(path), Arg.of(O_WRONLY | O_CLOEXEC)).savingIn(Slots.OPENED));
        steps.add(Step.of(Call.WRITE, Check.exactly(1), "tell start that the command runs",
                Arg.of(Slots.OPENED), new Arg.Bytes(new byte[] {'0'}), Arg.of(1)));
        return setUp;
    }

    private static byte[] longBytes(long value) {
        return ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder()).putLong(value).array();
    }
}
