package dev.isolate.host.cgroup;

import dev.isolate.exit.Failure;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The wait for the kernel's cgroup lock, taken before the launch needs it. The first move of
 * a process into a cgroup after a quiet spell waits for an RCU grace period: the lock over
 * every cgroup's membership, one for all hierarchies, switches to its slow mode (5-6 ms on an
 * idle machine, 11-29 ms while isolate's JVM keeps both of its CPUs busy), and holds the cgroup
 * mutex meanwhile, so that a mkdir or a limit written beside it waits too. A move within about
 * one grace period of the last one's end does not wait (0.05 ms).
 *
 * <p>So a launch of root's, which makes a cgroup unless told not to, begins one as its JVM
 * reaches main ({@link #begin}), before it parses its command line (another begins it when it
 * makes one): a thread of isolate's moves itself into the cgroup it is already in, which
 * changes nothing, while the launch goes on to parse, plan and make the container's
 * directories; and it moves again every {@link #MOVE_INTERVAL_MS} ms, each move cheap now,
 * until the child has been moved ({@link #end}). The child's move then finds the slow mode on
 * however long the launch took to get there: the grace period has passed during the ~20 ms
 * of Java work before it, instead of after the directories are made. A launch that makes no
 * cgroup ends it as soon as it knows. A failed move only means no gain.
 *
 * <p>On cgroup v1 the thread moves itself alone, by its id, through tasks; on v2, whose
 * domain cgroups hold whole processes, the JVM, through cgroup.procs. Never as pid 0 (the
 * writer itself) to tasks: the kernel moves a thread that names itself so without the lock,
 * and so without the wait. It reads its id from /proc/thread-self and writes through java.io,
 * whose classes every JVM has set up by main: a system call of isolate's would wait for jffi
 * to load, and a FileChannel's first use loads libnet and probes IPv6.
 */
public final class GracePeriod {
    /** How often the thread moves itself again, and at most how many times (a second's worth). */
    private static final long MOVE_INTERVAL_MS = 2;
    private static final int MOVES = 500;

    private static final AtomicBoolean BEGUN = new AtomicBoolean();
    private static final CountDownLatch ENDED = new CountDownLatch(1);
    /** The hierarchies the thread read, once it has. */
    private static volatile Hierarchies read;

    private GracePeriod() {
    }

    /** Starts the moves, once in a process: a later call, or one after {@link #end}, does nothing. */
    public static void begin() {
        if (ENDED.getCount() == 0 || !BEGUN.compareAndSet(false, true)) {
            return;
        }
        Thread mover = new Thread(GracePeriod::move, "isolate-cgroup-grace-period");
        mover.setDaemon(true);
        mover.start();
    }

    /**
     * The cgroup hierarchies: as the thread read them, if it has, rather than read again on the
     * launch's path (1-1.5 ms of its main thread, interpreted); else read now.
     */
    public static Hierarchies hierarchies() {
        Hierarchies hierarchies = read;
        return hierarchies != null ? hierarchies : Hierarchies.read();
    }

    /** Stops the moves: the child is in its cgroup, or the launch makes none. */
    public static void end() {
        ENDED.countDown();
    }

    private static void move() {
        try {
            read = Hierarchies.read();
            Hierarchies.Hierarchy hierarchy = read.all().stream().findFirst().orElse(null);
            if (hierarchy == null) {
                return;
            }
            // "/proc/PID/task/TID"
            String thread = new File("/proc/thread-self").getCanonicalPath();
            byte[] id = (hierarchy.unified() ? "0" : thread.substring(thread.lastIndexOf('/') + 1))
                    .getBytes(StandardCharsets.US_ASCII);
            String file = hierarchy.directory(hierarchy.own()).resolve(hierarchy.unified() ? "cgroup.procs" : "tasks")
                    .toString();
            try (FileOutputStream self = new FileOutputStream(file)) {
                for (int moves = 0; moves < MOVES && ENDED.getCount() > 0; moves++) {
                    self.write(id);
                    ENDED.await(MOVE_INTERVAL_MS, TimeUnit.MILLISECONDS);
                }
            }
        } catch (Failure | IOException e) {
            // not this caller's to write, or no longer there: no gain, nothing else
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
