package dev.isolate.host.join;

import dev.isolate.sys.SmallFiles;
import static dev.isolate.linux.Linux.*;

import dev.isolate.exit.Failure;
import dev.isolate.host.NamespaceIds;
import dev.isolate.spec.Namespace;
import dev.isolate.state.PinnedProcess;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.Syscall;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Descriptors of a running process's namespaces, root and working directory, opened by
 * isolate before the clone (close-on-exec; the child inherits them all the same), through
 * the pinned process, so they are that process's even if its pid is reused meanwhile. Only
 * the namespaces that differ from isolate's own are entered (entering one's own user
 * namespace is an error, any other changes nothing); asking for one the target shares with
 * isolate is a mistake worth one line.
 */
public final class TargetDescriptors implements AutoCloseable {
    private final Kernel kernel = Kernel.get();
    private final List<Integer> fds = new ArrayList<>();
    private final JoinTarget target;

    /**
     * @param requested  the types to join; empty for every type in which the target differs
     * @param privileged whether isolate may enter namespaces it does not own; without that
     *                   privilege it enters the target's user namespace too, whenever it
     *                   differs, because that is what grants the right to enter the others
     * @throws Failure when the process is gone or may not be looked into
     */
    public TargetDescriptors(PinnedProcess process, Set<Namespace> requested, boolean privileged) {
        long pid = process.identity().pid();
        try {
            Map<Namespace, Long> theirs = NamespaceIds.of(process);
            Map<Namespace, Long> mine = NamespaceIds.own();
            Map<Namespace, Integer> namespaceFds = new EnumMap<>(Namespace.class);
            Set<Namespace> types = requested.isEmpty() ? theirs.keySet() : new HashSet<>(requested);
            if (!privileged && !requested.isEmpty()) {
                types.add(Namespace.USER);
            }
            for (Namespace type : types) {
                if (!theirs.containsKey(type)) {
                    throw Failure.input("process " + pid + ": has no " + type.procName() + " namespace here");
                }
                boolean own = theirs.get(type).equals(mine.get(type));
                if (own && requested.contains(type)) {
                    throw Failure.input("process " + pid + ": has no " + type.procName()
                            + " namespace of its own: it shares isolate's");
                }
                if (!own) {
                    namespaceFds.put(type, open(process, "ns/" + type.procName(), O_CLOEXEC));
                }
            }
            // Its root and working directory belong with its mount namespace, as nsenter -a takes them.
            boolean entersRoot = requested.isEmpty() || requested.contains(Namespace.MOUNT);
            target = new JoinTarget(namespaceFds,
                    entersRoot ? OptionalInt.of(open(process, "root", O_PATH | O_DIRECTORY | O_CLOEXEC))
                            : OptionalInt.empty(),
                    entersRoot ? OptionalInt.of(open(process, "cwd", O_PATH | O_DIRECTORY | O_CLOEXEC))
                            : OptionalInt.empty(), confinement(process));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** From the process's status, read through its pinned /proc directory. */
    private static JoinTarget.Confinement confinement(PinnedProcess process) {
        Map<String, String> status = new HashMap<>();
        try {
            for (String line : SmallFiles.lines(process.path().resolve("status"))) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    status.put(line.substring(0, colon), line.substring(colon + 1).trim());
                }
            }
        } catch (IOException e) {
            throw Failure.input("process " + process.identity().pid() + ": status: " + Failure.reason(e));
        }
        return new JoinTarget.Confinement(Long.parseUnsignedLong(status.getOrDefault("CapBnd", "ffffffffffffffff"), 16),
                "1".equals(status.get("NoNewPrivs")), "2".equals(status.get("Seccomp")));
    }

    public JoinTarget target() {
        return target;
    }

    private int open(PinnedProcess process, String entry, int flags) {
        long fd = process.open(entry, flags);
        long pid = process.identity().pid();
        if (fd == -ENOENT || fd == -ESRCH) {
            throw Failure.input("process " + pid + ": no such process");
        }
        if (fd < 0) {
            throw Failure.input("process " + pid + ": " + entry.substring(entry.lastIndexOf('/') + 1) + ": "
                    + kernel.errorText((int) -fd));
        }
        fds.add((int) fd);
        return (int) fd;
    }

    @Override
    public void close() {
        fds.forEach(fd -> kernel.call(Syscall.CLOSE, fd));
        fds.clear();
    }
}
