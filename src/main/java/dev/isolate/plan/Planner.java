package dev.isolate.plan;

import static dev.isolate.sys.Linux.*;

import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.JoinSpec;
import dev.isolate.rootfs.RootfsSteps;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.NetworkMode;
import dev.isolate.spec.Propagation;
import dev.isolate.spec.SpecException;
import dev.isolate.userns.IdMapWriting;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Turns a spec into the ordered system calls of a launch; pure, so every decision is unit-tested. */
public final class Planner {
    /** execvp's search path when the command's environment has no PATH (docker's default). */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** close_range(CLOSE_RANGE_CLOEXEC), which makes fd hygiene race-free. */
    static final KernelVersion MINIMUM_KERNEL = new KernelVersion(5, 11);
    /** execve moves a process into the time namespace it unshared only since 6.0. */
    static final KernelVersion TIME_NAMESPACE_KERNEL = new KernelVersion(6, 0);
    /** mount_setattr(2), which makes mounts read-only recursively and detached trees private. */
    static final KernelVersion ROOTFS_KERNEL = new KernelVersion(5, 12);

    /** Holds a descriptor from the step that opens it to the step that uses it. */
    private static final Slot OPENED = new Slot(1);

    private Planner() {
    }

    /**
     * @throws SpecException when the running kernel cannot do what the spec asks
     */
    public static LaunchPlan plan(ContainerSpec spec, LaunchContext context) {
        requireKernel(spec, context.host().kernel());
        if (spec.rootfs().isPresent() != context.rootfs().isPresent()) {
            throw new IllegalArgumentException("a root filesystem must be prepared exactly when the spec has one");
        }
        boolean joinsNetwork = spec.network().mode() instanceof NetworkMode.Joined;
        if (joinsNetwork != context.joinedNetwork().isPresent()) {
            throw new IllegalArgumentException("a network namespace must be opened exactly when the spec joins one");
        }
        List<Step> steps = new ArrayList<>();
        leaveIsolatesState(context, steps);
        armAndWait(context, steps);
        // Before the mounts, so that a fresh sysfs shows the joined namespace's interfaces.
        context.joinedNetwork().ifPresent(fd -> steps.add(Step.of(Call.SETNS, Check.SUCCESS,
                "enter " + ((NetworkMode.Joined) spec.network().mode()).description(),
                Arg.of(fd), Arg.of(CLONE_NEWNET))));
        mounts(spec, context, steps);
        namespaces(spec, steps);
        spec.workdir().ifPresent(dir -> steps.add(Step.of(Call.CHDIR, Check.SUCCESS,
                "chdir \"" + dir + "\"", Arg.of(dir))));
        descriptors(context, steps);
        exec(spec.command(), spec.environment(), steps);
        List<ParentStep> parentSteps = spec.user()
                .map(ns -> IdMapWriting.steps(ns, context.host().caller(), context.host().helpers(),
                        context.host().subordinates()))
                .orElse(List.of());
        return new LaunchPlan(cloneFlags(spec), true, steps, parentSteps);
    }

    /**
     * isolate exec: the child enters the target's namespaces as nsenter does, user namespace
     * first (it grants the rights for the others), PID namespace last. setns(CLONE_NEWPID)
     * only places the caller's children, so the child then clones once more, with
     * CLONE_PARENT so that the command is isolate's own child, and leaves. setns into a user
     * or time namespace wants a process that shares nothing, so the child copies isolate's
     * memory instead of sharing it.
     */
    public static LaunchPlan planJoin(JoinSpec spec, JoinTarget target, LaunchContext context) {
        requireKernel(context.host().kernel());
        List<Step> steps = new ArrayList<>();
        leaveIsolatesState(context, steps);
        List<Namespace> order = new ArrayList<>(List.of(Namespace.USER, Namespace.MOUNT, Namespace.UTS,
                Namespace.IPC, Namespace.NET, Namespace.CGROUP, Namespace.TIME, Namespace.PID));
        order.retainAll(target.namespaceFds().keySet());
        for (Namespace type : order) {
            steps.add(Step.of(Call.SETNS, Check.SUCCESS, "enter the " + type.procName() + " namespace",
                    Arg.of(target.namespaceFds().get(type)), Arg.of(0)));
        }
        if (target.namespaceFds().containsKey(Namespace.PID)) {
            steps.add(Step.of(Call.CLONE, Check.CLONED, "start a process in the PID namespace",
                    Arg.of(CLONE_PARENT | SIGCHLD), Arg.NULL, Arg.NULL, Arg.NULL, Arg.NULL));
        }
        armAndWait(context, steps);
        if (target.namespaceFds().containsKey(Namespace.USER)) {
            // As nsenter: become root of the user namespace, whose rights the steps above used.
            steps.add(Step.of(Call.SETGROUPS, Check.IGNORE, "drop supplementary groups", Arg.of(0), Arg.NULL));
            steps.add(Step.of(Call.SETRESGID, Check.SUCCESS, "become gid 0 in the user namespace",
                    Arg.of(0), Arg.of(0), Arg.of(0)));
            steps.add(Step.of(Call.SETRESUID, Check.SUCCESS, "become uid 0 in the user namespace",
                    Arg.of(0), Arg.of(0), Arg.of(0)));
        }
        target.rootFd().ifPresent(fd -> {
            steps.add(Step.of(Call.FCHDIR, Check.SUCCESS, "enter the target's root", Arg.of(fd)));
            steps.add(Step.of(Call.CHROOT, Check.SUCCESS, "make it the root", Arg.of(".")));
        });
        if (spec.workdir().isPresent()) {
            String dir = spec.workdir().get();
            steps.add(Step.of(Call.CHDIR, Check.SUCCESS, "chdir \"" + dir + "\"", Arg.of(dir)));
        } else {
            target.cwdFd().ifPresent(fd -> steps.add(Step.of(Call.FCHDIR, Check.SUCCESS,
                    "enter the target's working directory", Arg.of(fd))));
        }
        descriptors(context, steps);
        exec(spec.command(), spec.environment(), steps);
        return new LaunchPlan(SIGCHLD, false, steps, List.of());
    }

    private static void requireKernel(KernelVersion kernel) {
        if (kernel.compareTo(MINIMUM_KERNEL) < 0) {
            throw new SpecException("Linux " + kernel + ": isolate needs Linux " + MINIMUM_KERNEL + " or later");
        }
    }

    private static void requireKernel(ContainerSpec spec, KernelVersion kernel) {
        requireKernel(kernel);
        if (spec.namespaces().contains(Namespace.TIME) && kernel.compareTo(TIME_NAMESPACE_KERNEL) < 0) {
            throw new SpecException("time namespace: needs Linux " + TIME_NAMESPACE_KERNEL
                    + " or later, for the command itself to enter it (this is " + kernel + ")");
        }
        if (spec.rootfs().isPresent() && kernel.compareTo(ROOTFS_KERNEL) < 0) {
            throw new SpecException("--rootfs: needs Linux " + ROOTFS_KERNEL + " or later (this is " + kernel + ")");
        }
    }

    static long cloneFlags(ContainerSpec spec) {
        long flags = SIGCHLD;
        for (Namespace ns : spec.namespaces()) {
            flags |= switch (ns) {
                // Created with the others in one clone, the user namespace owns them all, so the
                // child may set them up once the parent has written its id maps.
                case USER -> CLONE_NEWUSER;
                case MOUNT -> CLONE_NEWNS;
                case UTS -> CLONE_NEWUTS;
                case IPC -> CLONE_NEWIPC;
                case PID -> CLONE_NEWPID;
                case NET -> CLONE_NEWNET;
                case CGROUP -> CLONE_NEWCGROUP;
                // clone() has no room for CLONE_NEWTIME (it collides with the exit signal bits),
                // and offsets must be written before anyone enters: the child unshares it.
                case TIME -> 0;
            };
        }
        return flags;
    }

    /** Close isolate's pipe ends, and leave its signal handlers and mask behind. */
    private static void leaveIsolatesState(LaunchContext context, List<Step> steps) {
        Handshake pipes = context.handshake();
        steps.add(Step.of(Call.CLOSE, Check.SUCCESS, "close the parent's end of the report pipe",
                Arg.of(pipes.reportRead())));
        // Without this the release pipe would never reach end-of-file when the parent dies.
        steps.add(Step.of(Call.CLOSE, Check.SUCCESS, "close the parent's end of the release pipe",
                Arg.of(pipes.releaseWrite())));
        byte[] defaultAction = new byte[SIGACTION_SIZE]; // SIG_DFL, no flags, empty mask
        for (int signal : context.handledSignals()) {
            steps.add(Step.of(Call.RT_SIGACTION, Check.SUCCESS, "reset the handler of signal " + signal,
                    Arg.of(signal), new Arg.Bytes(defaultAction), Arg.of(0), Arg.of(SIGSET_SIZE)));
        }
        // The parent blocked every signal around clone(); the command starts with none blocked.
        steps.add(Step.of(Call.RT_SIGPROCMASK, Check.SUCCESS, "unblock signals",
                Arg.of(SIG_SETMASK), new Arg.Bytes(new byte[SIGSET_SIZE]), Arg.of(0), Arg.of(SIGSET_SIZE)));
    }

    /** Arm the parent-death signal, tell the parent, and wait for its release. */
    private static void armAndWait(LaunchContext context, List<Step> steps) {
        Handshake pipes = context.handshake();
        steps.add(Step.of(Call.PRCTL, Check.SUCCESS, "set the parent-death signal",
                Arg.of(PR_SET_PDEATHSIG), Arg.of(SIGKILL)));
        // Only after this word may the parent release us: if it died before we armed the
        // signal it never wrote the byte, and the read below sees end-of-file.
        steps.add(Step.of(Call.WRITE, Check.exactly(Long.BYTES), "report to the parent",
                Arg.of(pipes.reportWrite()), new Arg.Bytes(longBytes(LaunchPlan.ARMED)), Arg.of(Long.BYTES)));
        steps.add(Step.of(Call.READ, Check.exactly(1), "wait for the parent (it exited)",
                Arg.of(pipes.releaseRead()), new Arg.Bytes(new byte[1]), Arg.of(1)));
    }

    /** Propagation first, before any mount, then the root filesystem or a fresh /proc. */
    private static void mounts(ContainerSpec spec, LaunchContext context, List<Step> steps) {
        if (!spec.namespaces().contains(Namespace.MOUNT)) {
            return;
        }
        Propagation propagation = spec.propagation();
        long type = switch (propagation) {
            case PRIVATE -> MS_PRIVATE;
            case SLAVE -> MS_SLAVE;
            case SHARED -> MS_SHARED;
            case UNCHANGED -> 0;
        };
        if (type != 0) {
            steps.add(Step.of(Call.MOUNT, Check.SUCCESS, "make / a " + propagation.name().toLowerCase()
                    + " mount tree", Arg.NULL, Arg.of("/"), Arg.NULL, Arg.of(MS_REC | type), Arg.NULL));
        }
        if (context.rootfs().isPresent()) {
            steps.addAll(RootfsSteps.plan(context.rootfs().get(), spec.namespaces().contains(Namespace.USER),
                    !(spec.network().mode() instanceof NetworkMode.Shared)));
        } else if (spec.namespaces().contains(Namespace.PID)) {
            if (propagation == Propagation.SHARED || propagation == Propagation.UNCHANGED) {
                // A proc mounted on a shared /proc would replace the host's, as util-linux knows.
                steps.add(Step.of(Call.MOUNT, Check.SUCCESS, "make /proc private",
                        Arg.NULL, Arg.of("/proc"), Arg.NULL, Arg.of(MS_REC | MS_PRIVATE), Arg.NULL));
            }
            steps.add(Step.of(Call.MOUNT, Check.SUCCESS, "mount proc on /proc",
                    Arg.of("proc"), Arg.of("/proc"), Arg.of("proc"), Arg.of(MS_NOSUID | MS_NODEV | MS_NOEXEC),
                    Arg.NULL));
        }
    }

    private static void namespaces(ContainerSpec spec, List<Step> steps) {
        spec.hostname().ifPresent(name -> steps.add(Step.of(Call.SETHOSTNAME, Check.SUCCESS,
                "sethostname \"" + name + "\"", Arg.of(name), Arg.of(name.length()))));
        if (spec.namespaces().contains(Namespace.NET)) {
            steps.add(Step.of(Call.SOCKET, Check.SUCCESS, "open a socket to bring lo up",
                    Arg.of(AF_INET), Arg.of(SOCK_DGRAM | SOCK_CLOEXEC), Arg.of(0)).savingIn(OPENED));
            steps.add(Step.of(Call.IOCTL, Check.SUCCESS, "bring lo up",
                    Arg.of(OPENED), Arg.of(SIOCSIFFLAGS), new Arg.Bytes(loopbackUp())));
        }
        if (spec.namespaces().contains(Namespace.TIME)) {
            steps.add(Step.of(Call.UNSHARE, Check.SUCCESS, "unshare the time namespace", Arg.of(CLONE_NEWTIME)));
            if (!spec.timeOffsets().isNone()) {
                byte[] offsets = ("monotonic " + spec.timeOffsets().monotonicSeconds() + " 0\n"
                        + "boottime " + spec.timeOffsets().boottimeSeconds() + " 0\n")
                        .getBytes(StandardCharsets.US_ASCII);
                steps.add(Step.of(Call.OPENAT, Check.SUCCESS, "open /proc/self/timens_offsets",
                        Arg.of(AT_FDCWD), Arg.of("/proc/self/timens_offsets"), Arg.of(O_WRONLY | O_CLOEXEC))
                        .savingIn(OPENED));
                steps.add(Step.of(Call.WRITE, Check.exactly(offsets.length), "set the clock offsets",
                        Arg.of(OPENED), new Arg.Bytes(offsets), Arg.of(offsets.length)));
            }
        }
    }

    /** Close every descriptor at exec except 0-2 and the ones the caller passed on purpose. */
    private static void descriptors(LaunchContext context, List<Step> steps) {
        steps.add(Step.of(Call.CLOSE_RANGE, Check.SUCCESS, "mark descriptors close-on-exec",
                Arg.of(3), Arg.of(0xFFFF_FFFFL), Arg.of(CLOSE_RANGE_CLOEXEC)));
        for (int fd : new TreeSet<>(context.host().passedFds())) {
            steps.add(Step.of(Call.FCNTL, Check.SUCCESS, "pass descriptor " + fd,
                    Arg.of(fd), Arg.of(F_SETFD), Arg.of(0)));
        }
    }

    /** execve, or execvp's PATH walk when the name has no slash. */
    private static void exec(List<String> command, Map<String, String> environment, List<Step> steps) {
        String name = command.get(0);
        Arg argv = new Arg.CStringArray(command);
        Arg envp = new Arg.CStringArray(environ(environment));
        String what = "exec \"" + name + "\"";
        if (name.contains("/")) {
            steps.add(Step.of(Call.EXECVE, Check.SUCCESS, what, Arg.of(name), argv, envp));
            return;
        }
        for (String candidate : searchPath(name, environment.getOrDefault("PATH", DEFAULT_PATH))) {
            steps.add(Step.of(Call.EXECVE, Check.EXEC_CANDIDATE, what, Arg.of(candidate), argv, envp));
        }
    }

    /** The paths execvp tries, in order; an empty PATH entry means the working directory. */
    static List<String> searchPath(String name, String path) {
        List<String> candidates = new ArrayList<>();
        for (String dir : path.split(":", -1)) {
            candidates.add(dir.isEmpty() ? name : dir.endsWith("/") ? dir + name : dir + "/" + name);
        }
        return candidates;
    }

    static List<String> environ(Map<String, String> environment) {
        List<String> entries = new ArrayList<>(environment.size());
        environment.forEach((k, v) -> entries.add(k + "=" + v));
        return entries;
    }

    private static byte[] loopbackUp() {
        ByteBuffer ifreq = ByteBuffer.allocate(IFREQ_SIZE).order(ByteOrder.nativeOrder());
        ifreq.put("lo".getBytes(StandardCharsets.US_ASCII));
        ifreq.putShort(IFNAMSIZ, (short) (IFF_UP | IFF_LOOPBACK | IFF_RUNNING));
        return ifreq.array();
    }

    private static byte[] longBytes(long value) {
        return ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder()).putLong(value).array();
    }
}
