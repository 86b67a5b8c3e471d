package dev.isolate.host.network;

import static dev.isolate.linux.Linux.*;

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
    private final Optional<Path> resolvConf;

    private ContainerNetwork(Optional<Attachment> attachment, OptionalInt joinedNamespace, Optional<Path> resolvConf) {
        this.attachment = attachment;
        this.joinedNamespace = joinedNamespace;
        this.resolvConf = resolvConf;
    }

    /**
     * @throws Failure for a network that cannot be had: no privilege, no such namespace,
     *                       an address or port in use
     */
    public static ContainerNetwork prepare(Network network, Caller caller, Map<String, String> environment) {
        NetworkMode mode = network.mode();
        Optional<Path> resolvConf = network.dns().isEmpty() ? Optional.empty()
                : Optional.of(resolvConf(network.dns(), caller.uid(), environment));
        try {
            if (mode.usesVeth()) {
                if (!caller.isRoot()) {
                    String name = mode instanceof NetworkMode.Bridge ? "bridge" : "veth";
                    throw Failure.input("--network " + name + ": needs root, to add interfaces to the host"
                            + (caller.canCreate() ? " and keep their state with every other container's, in root's"
                            + " runtime directory (this is uid " + caller.uid() + ")"
                            : " (without privilege, --network slirp gives a network)"));
                }
                return new ContainerNetwork(Optional.of(VethPair.prepare(network, ProcessIdentity.self())),
                        OptionalInt.empty(), resolvConf);
            }
            if (mode instanceof NetworkMode.Slirp) {
                String program = Programs.onPath(Slirp.PROGRAM, environment).orElseThrow(() -> Failure.input(
                        "--network slirp: needs " + Slirp.PROGRAM + ", which is not installed (Debian package "
                                + Slirp.PROGRAM + ")"));
                return new ContainerNetwork(Optional.of(Slirp.prepare(network, program, caller.uid(), environment)),
                        OptionalInt.empty(), resolvConf);
            }
            if (mode instanceof NetworkMode.Joined joined) {
                return new ContainerNetwork(Optional.empty(), OptionalInt.of(open(joined)), resolvConf);
            }
            return new ContainerNetwork(Optional.empty(), OptionalInt.empty(), resolvConf);
        } catch (RuntimeException e) {
            resolvConf.ifPresent(ContainerNetwork::delete);
            throw e;
        }
    }

    /** The namespace the child enters, opened close-on-exec: the child uses it before exec. */
    public OptionalInt joinedNamespace() {
        return joinedNamespace;
    }

    /** Mounts the network adds to the root filesystem: /etc/resolv.conf for --dns. */
    public List<Mount> mounts() {
        return resolvConf.map(file -> List.<Mount>of(new Mount.Bind(ByteStrings.of(file), "/etc/resolv.conf", true)))
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

    private static Path resolvConf(List<Ipv4> servers, long uid, Map<String, String> environment) {
        Path file = Path.of(RuntimeDirectory.ownEntry(uid, environment, RuntimeDirectory.Owned.RESOLV) + ".conf");
        try {
            Files.writeString(file, servers.stream().map(server -> "nameserver " + server + "\n")
                    .collect(Collectors.joining()), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
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
