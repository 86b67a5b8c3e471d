package dev.isolate.plan;

import static dev.isolate.linux.Linux.*;

import dev.isolate.host.rootfs.RootfsLayout;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.NetworkMode;
import dev.isolate.spec.Propagation;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.Step;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** The child's steps that set up the namespaces clone() made: mounts, hostname, lo, clocks. */
final class NamespaceSteps {
    private NamespaceSteps() {
    }

    /**
     * The cgroup namespace, unshared after the first pause: by then the parent has moved the
     * child into the container's cgroup, which so becomes the namespace's root.
     */
    static void cgroup(ContainerSpec spec, List<Step> steps) {
        if (spec.namespaces().contains(Namespace.CGROUP)) {
            steps.add(Step.of(Call.UNSHARE, Check.SUCCESS, "unshare the cgroup namespace", Arg.of(CLONE_NEWCGROUP)));
        }
    }

    /** Propagation first, before any mount, then the root filesystem or a fresh /proc. */
    static void mounts(ContainerSpec spec, Optional<RootfsLayout> rootfs, List<Prepared.CgroupDirectory> cgroup,
            List<Step> steps) {
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
        if (rootfs.isPresent()) {
            steps.addAll(RootfsSteps.plan(rootfs.get(), spec.namespaces().contains(Namespace.USER),
                    !(spec.network().mode() instanceof NetworkMode.Shared), spec.containment().maskedPaths(), cgroup));
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

    /** The hostname, lo, and the time namespace with its clock offsets. */
    static void others(ContainerSpec spec, List<Step> steps) {
        spec.hostname().ifPresent(name -> steps.add(Step.of(Call.SETHOSTNAME, Check.SUCCESS,
                "sethostname \"" + name + "\"", Arg.of(name), Arg.of(name.length()))));
        if (spec.namespaces().contains(Namespace.NET)) {
            steps.add(Step.of(Call.SOCKET, Check.SUCCESS, "open a socket to bring lo up",
                    Arg.of(AF_INET), Arg.of(SOCK_DGRAM | SOCK_CLOEXEC), Arg.of(0)).savingIn(Slots.OPENED));
            steps.add(Step.of(Call.IOCTL, Check.SUCCESS, "bring lo up",
                    Arg.of(Slots.OPENED), Arg.of(SIOCSIFFLAGS), new Arg.Bytes(loopbackUp())));
        }
        if (spec.namespaces().contains(Namespace.TIME)) {
            steps.add(Step.of(Call.UNSHARE, Check.SUCCESS, "unshare the time namespace", Arg.of(CLONE_NEWTIME)));
            if (!spec.timeOffsets().isNone()) {
                byte[] offsets = ("monotonic " + spec.timeOffsets().monotonicSeconds() + " 0\n"
                        + "boottime " + spec.timeOffsets().boottimeSeconds() + " 0\n")
                        .getBytes(StandardCharsets.US_ASCII);
                steps.add(Step.of(Call.OPENAT, Check.SUCCESS, "open /proc/self/timens_offsets",
                        Arg.of(AT_FDCWD), Arg.of("/proc/self/timens_offsets"), Arg.of(O_WRONLY | O_CLOEXEC))
                        .savingIn(Slots.OPENED));
                steps.add(Step.of(Call.WRITE, Check.exactly(offsets.length), "set the clock offsets",
                        Arg.of(Slots.OPENED), new Arg.Bytes(offsets), Arg.of(offsets.length)));
            }
        }
    }

    private static byte[] loopbackUp() {
        ByteBuffer ifreq = ByteBuffer.allocate(IFREQ_SIZE).order(ByteOrder.nativeOrder());
        ifreq.put("lo".getBytes(StandardCharsets.US_ASCII));
        ifreq.putShort(IFNAMSIZ, (short) (IFF_UP | IFF_LOOPBACK | IFF_RUNNING));
        return ifreq.array();
    }
}
