package dev.isolate.join;

import static dev.isolate.sys.Linux.*;

import dev.isolate.inspect.NamespaceIds;
import dev.isolate.plan.JoinTarget;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.SpecException;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.Syscall;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Descriptors of a running process's namespaces, root and working directory, opened by
 * isolate before the clone (close-on-exec; the child inherits them all the same). Only the
 * namespaces that differ from isolate's own are entered (entering one's own user namespace
 * is an error, any other changes nothing); asking for one the target shares with isolate is
 * a mistake worth one line.
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
     * @throws SpecException when the process is gone or may not be looked into
     */
    public TargetDescriptors(long pid, Set<Namespace> requested, boolean privileged) {
        try {
            Map<Namespace, Long> theirs = NamespaceIds.of(Long.toString(pid));
            Map<Namespace, Long> mine = NamespaceIds.of("self");
            Map<Namespace, Integer> namespaceFds = new EnumMap<>(Namespace.class);
            Set<Namespace> types = requested.isEmpty() ? theirs.keySet() : new java.util.HashSet<>(requested);
            if (!privileged && !requested.isEmpty()) {
                types.add(Namespace.USER);
            }
            for (Namespace type : types) {
                if (!theirs.containsKey(type)) {
                    throw new SpecException("process " + pid + ": has no " + type.procName() + " namespace here");
                }
                boolean own = theirs.get(type).equals(mine.get(type));
                if (own && requested.contains(type)) {
                    throw new SpecException("process " + pid + ": has no " + type.procName()
                            + " namespace of its own: it shares isolate's");
                }
                if (!own) {
                    namespaceFds.put(type, open("/proc/" + pid + "/ns/" + type.procName(), O_CLOEXEC, pid));
                }
            }
            // Its root and working directory belong with its mount namespace, as nsenter -a takes them.
            boolean entersRoot = requested.isEmpty() || requested.contains(Namespace.MOUNT);
            target = new JoinTarget(namespaceFds,
                    entersRoot ? OptionalInt.of(open("/proc/" + pid + "/root", O_PATH | O_DIRECTORY | O_CLOEXEC, pid))
                            : OptionalInt.empty(),
                    entersRoot ? OptionalInt.of(open("/proc/" + pid + "/cwd", O_PATH | O_DIRECTORY | O_CLOEXEC, pid))
                            : OptionalInt.empty());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public JoinTarget target() {
        return target;
    }

    private int open(String path, int flags, long pid) {
        long fd = kernel.open(path, flags);
        if (fd == -ENOENT || fd == -ESRCH) {
            throw new SpecException("process " + pid + ": no such process");
        }
        if (fd < 0) {
            throw new SpecException("process " + pid + ": " + path.substring(path.lastIndexOf('/') + 1) + ": "
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
