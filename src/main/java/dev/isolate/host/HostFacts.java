package dev.isolate.host;

import dev.isolate.spec.IdMapping;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.SmallFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the machine, the caller and isolate's own process are like, read once before a
 * launch is planned, so that building the spec and planning work on values alone.
 *
 * @param kernel          the running kernel, for steps that need a recent one
 * @param caller          who runs isolate: decides how id maps can be written
 * @param environment     isolate's environment as its caller set it, in byte strings (the JVM's own
 *                        variable removed)
 * @param passedFds       descriptors (above 2) that isolate's caller handed over on purpose and
 *                        that the command inherits; every other one is closed at exec
 * @param subordinates    the caller's ranges in /etc/subuid and /etc/subgid and the helpers that map
 *                        them, looked up when first asked
 * @param handledSignals  signals that have a handler in isolate now, so also at the clone: the
 *                        child resets them before it unblocks signals, so no JVM handler ever runs in it
 * @param boundingSet     isolate's own capability bounding set (CapBnd): without a new user namespace,
 *                        the most its child can hold
 * @param lastCapability  the highest capability this kernel knows (/proc/sys/kernel/cap_last_cap)
 * @param setgroupsDenied isolate runs in a user namespace whose setgroups is "deny" (rootless podman's, say)
 */
public record HostFacts(KernelVersion kernel, Caller caller, Map<String, String> environment, Set<Integer> passedFds,
        SubordinateMapping subordinates, List<Integer> handledSignals, long boundingSet, int lastCapability,
        boolean setgroupsDenied) {
    /**
     * Set by scripts/isolate to move the JVM's internal suspend signal off SIGUSR2, so that
     * isolate can forward SIGUSR2; it is not the user's, so COMMAND does not inherit it.
     */
    public static final String JVM_SIGNAL_VARIABLE = "_JAVA_SR_SIGNUM";
    /** Descriptors above 2 that isolate's caller passed in, as listed by scripts/isolate. */
    public static final String PASSED_FDS_PROPERTY = "isolate.passed-fds";

    public HostFacts {
        environment = Map.copyOf(environment);
        passedFds = Set.copyOf(passedFds);
        handledSignals = List.copyOf(handledSignals);
    }

    /** This machine, this caller, this process, now. */
    public static HostFacts read() {
        List<String> status = Caller.status();
        Caller caller = Caller.fromStatus(status, System.getProperty("user.name"));
        Map<String, String> environment = callerEnvironment();
        return new HostFacts(KernelVersion.parse(System.getProperty("os.version")), caller, environment,
                passedFds(System.getProperty(PASSED_FDS_PROPERTY, "")), SubordinateMapping.of(caller, environment),
                Kernel.get().handledSignals(), boundingSet(status), readLastCapability(), readSetgroupsDenied());
    }

    /** The caller's ranges in /etc/subuid. */
    public List<IdMapping> subordinateUids() {
        return subordinates.uids();
    }

    /** The caller's ranges in /etc/subgid. */
    public List<IdMapping> subordinateGids() {
        return subordinates.gids();
    }

    /** The setuid helper that writes uid maps of subordinate ids, if installed. */
    public Optional<String> newuidmap() {
        return subordinates.newuidmap();
    }

    /** The same for gid maps. */
    public Optional<String> newgidmap() {
        return subordinates.newgidmap();
    }

    /** Every capability this kernel knows, as a mask. */
    public long knownCapabilities() {
        return lastCapability >= 63 ? -1L : (1L << (lastCapability + 1)) - 1;
    }

    private static long boundingSet(List<String> status) {
        for (String line : status) {
            if (line.startsWith("CapBnd:")) {
                return Long.parseUnsignedLong(line.substring("CapBnd:".length()).trim(), 16);
            }
        }
        throw new IllegalStateException("/proc/self/status has no CapBnd");
    }

    private static int readLastCapability() {
        return Integer.parseInt(Sysctl.read("/proc/sys/kernel/cap_last_cap")
                .orElseThrow(() -> new IllegalStateException("no /proc/sys/kernel/cap_last_cap")));
    }

    /**
     * isolate's environment without what only its JVM needed, as byte strings (sys.ByteStrings):
     * COMMAND inherits the caller's bytes, which System.getenv has decoded lossily.
     */
    public static Map<String, String> callerEnvironment() {
        Map<String, String> environment = new HashMap<>(CallerBytes.environment());
        environment.remove(JVM_SIGNAL_VARIABLE);
        return environment;
    }

    static Set<Integer> passedFds(String list) {
        Set<Integer> fds = new TreeSet<>();
        for (String fd : list.split(",")) {
            if (!fd.isBlank()) {
                int n = Integer.parseInt(fd.trim());
                if (n > 2) {
                    fds.add(n);
                }
            }
        }
        return fds;
    }

    /**
     * Whether isolate itself runs in a user namespace made with setgroups denied (rootless
     * podman's, which runs isolate-runtime as its uid 0): no process in it may set groups.
     */
    private static boolean readSetgroupsDenied() {
        try {
            return SmallFiles.text(Path.of("/proc/self/setgroups")).strip().equals("deny");
        } catch (IOException e) {
            return false; // a kernel without the file predates the rule
        }
    }
}
