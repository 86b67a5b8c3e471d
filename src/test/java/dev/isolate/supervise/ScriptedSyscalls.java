package dev.isolate.supervise;

import static dev.isolate.linux.Linux.EACCES;
import static dev.isolate.linux.Linux.ENOENT;
import static dev.isolate.linux.Linux.ENOSPC;
import static dev.isolate.linux.Linux.EPERM;
import static dev.isolate.linux.Linux.SIGKILL;

import dev.isolate.step.Handshake;
import dev.isolate.step.LaunchPlan;
import dev.isolate.step.ParentStep;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;

/**
 * A {@link Syscalls} whose child does what the test scripts: the clone's result, the words
 * it reports (then end-of-file), how each process ends, what /proc writes and helpers
 * return. Every call is recorded in order, as a line of {@link #calls}, next to the
 * {@link ChildEvents} of {@link #events()}. Any call a real kernel would refuse or block on
 * forever (a pipe end not open, a wait for a process that never ends, a read after the
 * script), or that breaks the supervisor's rules (freeing the program while a child may run
 * on it), throws an AssertionError at once and fails {@link #assertFinished} too.
 */
final class ScriptedSyscalls implements Syscalls {
    static final Handshake PIPES = new Handshake(3, 4, 5, 6);
    /** The first descriptor a take returns; the next one more. */
    static final int TAKEN_FD = 7;

    /** What happened, in order: one line per call, as the tests expect it. */
    final List<String> calls = new ArrayList<>();

    private long cloneResult;
    private final Queue<OptionalLong> reports = new ArrayDeque<>();
    /** The processes of the script: the wait status each ends with, or null if it runs until killed. */
    private final Map<Integer, Integer> processes = new LinkedHashMap<>();
    /** isolate's children not yet reaped (a process the child forks with CLONE_PARENT is one). */
    private final Map<Integer, Integer> children = new LinkedHashMap<>();
    private final Map<String, Long> procWrites = new HashMap<>();
    private final Map<String, HelperExit> helpers = new HashMap<>();
    private final Set<Integer> openFds = new LinkedHashSet<>();
    private boolean loaded;
    private int nextTaken = TAKEN_FD;
    private boolean started;
    /** What the double refused: kept, since the supervisor may swallow the AssertionError (as suppressed). */
    private final List<String> refusals = new ArrayList<>();

    // --- the script ---

    /** The clone returns this: a pid, or -errno. */
    ScriptedSyscalls clones(long result) {
        cloneResult = result;
        return this;
    }

    /** The next word the child reports. */
    ScriptedSyscalls reports(long word) {
        reports.add(OptionalLong.of(word));
        return this;
    }

    /** Every writer of the report pipe is gone: the child exec'd or died. */
    ScriptedSyscalls endOfFile() {
        reports.add(OptionalLong.empty());
        return this;
    }

    /**
     * The process ends with this wait(2) status. The cloned child without one runs until it is
     * killed; any other process of the script (the command's, when the child forks) is
     * isolate's child from the clone on.
     */
    ScriptedSyscalls ends(int pid, int waitStatus) {
        processes.put(pid, waitStatus);
        return this;
    }

    /** A process of the script that never ends unless killed. */
    ScriptedSyscalls runsUntilKilled(int pid) {
        processes.put(pid, null);
        return this;
    }

    /** writeProcFile of this file returns this (0 or -errno); 0 when not scripted. */
    ScriptedSyscalls procWriteReturns(String file, long result) {
        procWrites.put(file, result);
        return this;
    }

    /** The helper program ends like this; status 0 when not scripted. */
    ScriptedSyscalls helperEnds(String program, int status, String stderr) {
        helpers.put(program, new HelperExit(status, stderr));
        return this;
    }

    static int exited(int code) {
        return code << 8;
    }

    static int killedBy(int signal) {
        return signal;
    }

    static long failure(int stepIndex, int errno) {
        return (long) stepIndex << LaunchPlan.FAILED_STEP_SHIFT | errno;
    }

    static long newProcess(int pid) {
        return LaunchPlan.NEW_PROCESS | pid;
    }

    /** ChildEvents that record themselves among the calls. */
    ChildEvents events() {
        return new ChildEvents() {
            @Override
            public void waiting(int pid) {
                calls.add("waiting " + pid);
            }

            @Override
            public void took(ParentStep.TakeDescriptor step, int fd) {
                calls.add("took " + fd);
            }

            @Override
            public void running(int pid) {
                calls.add("running " + pid);
            }
        };
    }

    /** After a launch: every pipe end closed, every child reaped, the whole script played. */
    void assertFinished() {
        if (!refusals.isEmpty()) {
            throw new AssertionError("refused calls: " + refusals);
        }
        check(openFds.isEmpty(), "pipe ends left open: " + openFds);
        check(children.isEmpty(), "children left unreaped: " + children.keySet());
        check(reports.isEmpty(), "the child had more to report: " + reports);
        check(!loaded, "the program was never closed");
    }

    // --- Syscalls ---

    @Override
    public Handshake openHandshake() {
        check(openFds.isEmpty(), "a second handshake");
        calls.add("pipes");
        openFds.addAll(List.of(PIPES.reportRead(), PIPES.reportWrite(), PIPES.releaseRead(), PIPES.releaseWrite()));
        return PIPES;
    }

    @Override
    public Program load(LaunchPlan plan, Handshake pipes) {
        check(pipes.equals(PIPES) && openFds.size() == 4, "load with pipes that are not open: " + pipes);
        check(!loaded, "a second program");
        calls.add("load");
        loaded = true;
        return new Program() {
            @Override
            public long start() {
                check(loaded && !started, "a second clone, or a clone of a closed program");
                started = true;
                calls.add("clone -> " + cloneResult);
                if (cloneResult > 0) {
                    children.putAll(processes);
                    children.putIfAbsent((int) cloneResult, null);
                }
                return cloneResult;
            }

            @Override
            public void close() {
                check(loaded, "the program closed twice");
                check(children.isEmpty(), "the program was freed while " + children.keySet() + " may run on it");
                calls.add("unload");
                loaded = false;
            }
        };
    }

    @Override
    public OptionalLong readReport(int fd) {
        checkOpen(fd, PIPES.reportRead(), "read");
        check(!reports.isEmpty(), "read " + fd + " after the script: it would block forever");
        OptionalLong word = reports.remove();
        calls.add("read " + fd + " -> " + describe(word));
        return word;
    }

    @Override
    public void release(int fd) {
        checkOpen(fd, PIPES.releaseWrite(), "release");
        calls.add("release " + fd);
    }

    @Override
    public void close(int fd) {
        check(openFds.remove(fd), "close of " + fd + ", which is not open");
        calls.add("close " + fd);
    }

    @Override
    public long writeProcFile(int pid, String file, String content) {
        checkChild(pid, "write /proc/" + pid + "/" + file);
        calls.add("write /proc/" + pid + "/" + file + ": " + content.strip().replace('\n', ','));
        return procWrites.getOrDefault(file, 0L);
    }

    @Override
    public int takeDescriptor(int pid, int fd, String what) {
        checkChild(pid, what);
        check(openFds.contains(fd), what + ": descriptor " + fd + " is not isolate's to name");
        int taken = nextTaken++;
        openFds.add(taken);
        calls.add("take fd " + fd + " of " + pid + " -> " + taken);
        return taken;
    }

    @Override
    public HelperExit run(List<String> command) {
        checkChild(Integer.parseInt(command.get(1)), "run " + command);
        calls.add("run " + String.join(" ", command));
        return helpers.getOrDefault(command.get(0), new HelperExit(0, ""));
    }

    @Override
    public void forwardSignals(int pid, List<Integer> signals) {
        checkChild(pid, "forward signals to " + pid);
        calls.add("forward " + signals + " to " + pid);
    }

    @Override
    public int waitFor(int pid) {
        check(children.containsKey(pid), "wait for " + pid + ", not a child: ECHILD");
        Integer status = children.get(pid);
        check(status != null, "wait for " + pid + ", which never ends: it would block forever");
        children.remove(pid);
        calls.add("wait " + pid + " -> " + describeStatus(status));
        return status;
    }

    @Override
    public void kill(int pid, int signal) {
        check(children.containsKey(pid), "kill " + pid + ", not a child: it may be anyone's by now");
        calls.add("kill " + pid + " " + signal);
        if (children.get(pid) == null && signal == SIGKILL) {
            children.put(pid, killedBy(SIGKILL));
        }
    }

    @Override
    public String errorText(int errno) {
        return switch (errno) {
            case EPERM -> "Operation not permitted";
            case ENOENT -> "No such file or directory";
            case EACCES -> "Permission denied";
            case ENOSPC -> "No space left on device";
            default -> throw new AssertionError("no text scripted for errno " + errno);
        };
    }

    // --- helpers ---

    private void checkOpen(int fd, int expected, String what) {
        check(fd == expected, what + " on " + fd + ", expected " + expected);
        check(openFds.contains(fd), what + " on " + fd + ", which is closed");
    }

    private void checkChild(int pid, String what) {
        check(children.containsKey(pid), what + ": " + pid + " is not a child");
    }

    private static String describe(OptionalLong report) {
        if (report.isEmpty()) {
            return "end-of-file";
        }
        long word = report.getAsLong();
        if (word == LaunchPlan.ARMED) {
            return "armed";
        }
        if (word == LaunchPlan.PAUSED) {
            return "paused";
        }
        if ((word & LaunchPlan.NEW_PROCESS) != 0) {
            return "pid " + (word & ~LaunchPlan.NEW_PROCESS);
        }
        return "step " + (word >>> LaunchPlan.FAILED_STEP_SHIFT) + " errno " + (int) word;
    }

    private static String describeStatus(int status) {
        return (status & 0x7f) == 0 ? "exit " + (status >> 8) : "signal " + (status & 0x7f);
    }

    private void check(boolean condition, String message) {
        if (!condition) {
            refusals.add(message);
            throw new AssertionError(message);
        }
    }
}
