package dev.isolate.host.network;

import static dev.isolate.linux.Linux.*;

import dev.isolate.dryrun.HostAction;
import dev.isolate.exit.Failure;
import dev.isolate.host.Caller;
import dev.isolate.host.Programs;
import dev.isolate.spec.Ipv4;
import dev.isolate.spec.Mount;
import dev.isolate.spec.Network;
import dev.isolate.spec.NetworkMode;
import dev.isolate.state.ProcessIdentity;
import dev.isolate.state.RuntimeDirectory;
import dev.isolate.sys.ByteStrings;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.Syscall;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * The host's side of a container's network, for the length of one launch: prepared before
 * the clone (addresses, the namespace to join, resolv.conf), attached while the child waits,
 * undone when the container ends.
 */
public final class ContainerNetwork implements AutoCloseable {
    private final Optional<Attachment> attachment;
    private final OptionalInt joinedNamespace;
    /** --dns's file, when this launch made it. */
    private final Optional<Path> resolvConf;
    /** --dns's file as the container's mounts name it, made or not. */
    private final Optional<Path> resolvConfMount;
    /** What a dry run would have done; empty for a real launch. */
    private final List<HostAction> actions;

    private ContainerNetwork(Optional<Attachment> attachment, OptionalInt joinedNamespace, Optional<Path> resolvConf,
            Optional<Path> resolvConfMount, List<HostAction> actions) {
        this.attachment = attachment;
        this.joinedNamespace = joinedNamespace;
        this.resolvConf = resolvConf;
        this.resolvConfMount = resolvConfMount;
        this.actions = List.copyOf(actions);
    }

    /**
     * @throws Failure for a network that cannot be had: no privilege, no such namespace,
     *                       an address or port in use
     */
    public static ContainerNetwork prepare(Network network, Caller caller, Map<String, String> environment) {
        NetworkMode mode = network.mode();
        Optional<String> slirp = check(network, caller, environment);
        Optional<Path> resolvConf = network.dns().isEmpty() ? Optional.empty()
                : Optional.of(resolvConf(network.dns(), caller.uid(), environment));
        try {
            Optional<Attachment> attachment = mode.usesVeth()
                    ? Optional.of(VethPair.prepare(network, ProcessIdentity.self()))
                    : slirp.map(program -> Slirp.prepare(network, program, caller.uid(), environment));
            OptionalInt joined = mode instanceof NetworkMode.Joined j ? OptionalInt.of(open(j)) : OptionalInt.empty();
            return new ContainerNetwork(attachment, joined, resolvConf, resolvConf, List.of());
        } catch (RuntimeException e) {
            resolvConf.ifPresent(ContainerNetwork::delete);
            throw e;
        }
    }

    /**
     * What {@link #prepare} would do, checked as it checks and shown in {@link #actions}, with
     * nothing made: the namespace to join is opened (reading), so the plan has a descriptor.
     */
    public static ContainerNetwork dryRun(Network network, Caller caller, Map<String, String> environment) {
        NetworkMode mode = network.mode();
        Optional<String> slirp = check(network, caller, environment);
        List<HostAction> actions = new ArrayList<>();
        Optional<Path> resolvConf = Optional.empty();
        if (!network.dns().isEmpty()) {
            Path file = resolvConfPath(caller.uid(), environment);
            resolvConf = Optional.of(file);
            actions.add(HostAction.before("write --dns's resolv.conf (mode 644), removed when the container ends",
                    List.of(file + ": " + resolvConfText(network.dns()).strip().replace("\n", "; "))));
        }
        if (mode.usesVeth()) {
            actions.addAll(VethPair.dryRun(network, ProcessIdentity.self()));
        }
        slirp.ifPresent(program -> actions.addAll(Slirp.dryRun(network, program, caller.uid(), environment)));
        OptionalInt joined = OptionalInt.empty();
        if (mode instanceof NetworkMode.Joined j) {
            joined = OptionalInt.of(open(j));
            actions.add(HostAction.before("open " + j.path() + " (O_RDONLY|O_CLOEXEC) for the child's setns",
                    List.of("descriptor " + joined.getAsInt() + " in this dry run; the launch's may differ")));
        }
        return new ContainerNetwork(Optional.empty(), joined, Optional.empty(), resolvConf, actions);
    }

    /** What the mode needs of the caller and the host; the slirp4netns to run, for slirp. */
    private static Optional<String> check(Network network, Caller caller, Map<String, String> environment) {
        NetworkMode mode = network.mode();
        if (mode.usesVeth() && !caller.isRoot()) {
            String name = mode instanceof NetworkMode.Bridge ? "bridge" : "veth";
            throw Failure.input("--network " + name + ": needs root, to add interfaces to the host"
                    + (caller.canCreate() ? " and keep their state with every other container's, in root's"
                    + " runtime directory (this is uid " + caller.uid() + ")"
                    : " (without privilege, --network slirp gives a network)"));
        }
        if (mode instanceof NetworkMode.Slirp) {
            return Optional.of(Programs.onPath(Slirp.PROGRAM, environment).orElseThrow(() -> Failure.input(
                    "--network slirp: needs " + Slirp.PROGRAM + ", which is not installed (Debian package "
                            + Slirp.PROGRAM + ")")));
        }
        return Optional.empty();
    }

    /** What a dry run would have done on the host, in order. */
    public List<HostAction> actions() {
        return actions;
    }

    /** The namespace the child enters, opened close-on-exec: the child uses it before exec. */
    public OptionalInt joinedNamespace() {
        return joinedNamespace;
    }

    /** Mounts the network adds to the root filesystem: /etc/resolv.conf for --dns. */
    public List<Mount> mounts() {
        return resolvConfMount.map(file -> List.<Mount>of(new Mount.Bind(ByteStrings.of(file), "/etc/resolv.conf", true)))
                .orElse(List.of());
    }

    /** Connects the child, which waits in its new namespace (the parent's part of the handshake). */
    public void attach(int pid) {
        attachment.ifPresent(a -> a.attach(pid));
    }

    @Override
    public void close() {
        attachment.ifPresent(Attachment::close);
        joinedNamespace.ifPresent(fd -> Kernel.get().call(Syscall.CLOSE, fd));
        resolvConf.ifPresent(ContainerNetwork::delete);
    }

    private static int open(NetworkMode.Joined joined) {
        Kernel kernel = Kernel.get();
        long fd = kernel.open(joined.path(), O_RDONLY | O_CLOEXEC);
        if (fd == -ENOENT || fd == -ESRCH) {
            throw Failure.input("--network: " + joined.description() + ": does not exist"
                    + (joined.path().startsWith("/run/netns/") ? " (ip netns list shows those there are)" : ""));
        }
        if (fd < 0) {
            throw Failure.input("--network: " + joined.description() + ": " + kernel.errorText((int) -fd));
        }
        return (int) fd;
    }

    private static Path resolvConfPath(long uid, Map<String, String> environment) {
        return Path.of(RuntimeDirectory.ownEntryPath(uid, environment, RuntimeDirectory.Owned.RESOLV) + ".conf");
    }

    private static String resolvConfText(List<Ipv4> servers) {
        return servers.stream().map(server -> "nameserver " + server + "\n").collect(Collectors.joining());
    }

    private static Path resolvConf(List<Ipv4> servers, long uid, Map<String, String> environment) {
        RuntimeDirectory.ownEntry(uid, environment, RuntimeDirectory.Owned.RESOLV);
        Path file = resolvConfPath(uid, environment);
        try {
            Files.writeString(file, resolvConfText(servers), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            // The container's users read it; only isolate's runtime directory is private.
            file.toFile().setReadable(true, false);
            return file;
        } catch (IOException e) {
            throw Failure.step("--dns: " + file + ": " + Failure.reason(e));
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // one left behind is named after this isolate: the next launch or gc removes it
        }
    }
}
