package dev.isolate.host.network;

import static dev.isolate.linux.Linux.ENODEV;
import static dev.isolate.linux.Linux.O_CLOEXEC;
import static dev.isolate.linux.Linux.O_RDONLY;

import dev.isolate.exit.Failure;
import dev.isolate.spec.Cidr;
import dev.isolate.spec.Ipv4;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.Netlink;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The links, addresses and routes of --network veth and bridge, made by rtnetlink from
 * isolate's own process (sys.Netlink, RouteMessages), each change shown (-v, --dry-run) as the
 * ip commands that make the same. isolate ran ip and nsenter for them until they cost a bridge
 * launch more than the rest of its network (README, Performance).
 */
final class Links {
    /** The container's end of a veth pair: eth0 inside. */
    static final String CONTAINER_INTERFACE = "eth0";

    private Links() {
    }

    /** A link as the kernel has it: its number, its kind (none for a device like lo), its first IPv4 address. */
    record Link(int index, Optional<String> kind, Optional<Cidr> address) {
    }

    /**
     * One veth pair, the container's end made right in its namespace (so it never appears on
     * the host), the host end up, as a port of {@code bridge} or with {@code hostAddress}.
     *
     * @param netns the container's network namespace, as /proc/PID/ns/net
     */
    static NetworkChange hostEnd(String what, String host, String netns, Optional<String> bridge,
            Optional<Cidr> hostAddress, Optional<String> mac, OptionalInt mtu) {
        String mtuOption = mtu.isPresent() ? " mtu " + mtu.getAsInt() : "";
        List<String> lines = new ArrayList<>();
        lines.add("ip link add " + host + mtuOption + " type veth peer name " + CONTAINER_INTERFACE + mtuOption
                + mac.map(address -> " address " + address).orElse("") + " netns " + netns);
        hostAddress.ifPresent(cidr -> lines.add("ip addr add " + cidr + " dev " + host));
        lines.add("ip link set " + host + bridge.map(name -> " master " + name).orElse("") + " up");
        return new NetworkChange(what, lines, () -> {
            Kernel kernel = Kernel.get();
            long namespace = kernel.open(netns, O_RDONLY | O_CLOEXEC);
            if (namespace < 0) {
                throw Failure.step(what + ": " + netns + ": " + kernel.errorText((int) -namespace));
            }
            try (Netlink socket = socket(what, Netlink.open())) {
                check(what, socket.request(RouteMessages.newVeth(host, CONTAINER_INTERFACE, (int) namespace, mac,
                        mtu)));
                int index = index(what, socket, host);
                if (hostAddress.isPresent()) {
                    check(what, socket.request(RouteMessages.newAddress(index, hostAddress.get())));
                }
                OptionalInt master = bridge.isPresent() ? OptionalInt.of(index(what, socket, bridge.get()))
                        : OptionalInt.empty();
                check(what, socket.request(RouteMessages.setUp(index, master)));
            } finally {
                kernel.close((int) namespace);
            }
        });
    }

    /** In the container's namespace: its address, eth0 up, and its way out through the host end. */
    static NetworkChange containerEnd(String what, String netns, Cidr address, Ipv4 gateway) {
        String inside = "nsenter --net=" + netns + " ip ";
        List<String> lines = List.of(inside + "addr add " + address + " dev " + CONTAINER_INTERFACE,
                inside + "link set " + CONTAINER_INTERFACE + " up", inside + "route add default via " + gateway);
        return new NetworkChange(what, lines, () -> {
            try (Netlink socket = socket(what, Netlink.in(netns))) {
                int index = index(what, socket, CONTAINER_INTERFACE);
                check(what, socket.request(RouteMessages.newAddress(index, address)));
                check(what, socket.request(RouteMessages.setUp(index, OptionalInt.empty())));
                check(what, socket.request(RouteMessages.defaultRoute(gateway)));
            }
        });
    }

    /** A bridge with its address (the containers' gateway), up. */
    static NetworkChange newBridge(String what, String name, Cidr gateway) {
        List<String> lines = List.of("ip link add " + name + " type bridge", "ip addr add " + gateway + " dev " + name,
                "ip link set " + name + " up");
        return new NetworkChange(what, lines, () -> {
            try (Netlink socket = socket(what, Netlink.open())) {
                check(what, socket.request(RouteMessages.newBridge(name)));
                int index = index(what, socket, name);
                check(what, socket.request(RouteMessages.newAddress(index, gateway)));
                check(what, socket.request(RouteMessages.setUp(index, OptionalInt.empty())));
            }
        });
    }

    /** The link of this name in isolate's network namespace, if there is one. */
    static Optional<Link> find(String what, String name) {
        try (Netlink socket = socket(what, Netlink.open())) {
            return find(what, socket, name);
        }
    }

    /**
     * Removes the link (a veth pair goes with either end).
     *
     * @return false when there was none of that name
     */
    static boolean delete(String what, String name) {
        try (Netlink socket = socket(what, Netlink.open())) {
            int errno = socket.request(RouteMessages.deleteLink(name));
            if (errno == ENODEV) {
                return false;
            }
            check(what, errno);
            return true;
        }
    }

    /**
     * {@link #delete} for cleanup and for undoing a step: a pair already gone (with the
     * container's namespace) is nothing to report, and neither is a failure here, which must
     * not stop the rest of the cleanup nor hide the failure being undone.
     */
    static void deleteQuietly(String what, String name) {
        try {
            delete(what, name);
        } catch (Failure e) {
            // see above
        }
    }

    private static Optional<Link> find(String what, Netlink socket, String name) {
        return link(what, socket, name).map(reply -> {
            int index = RouteMessages.index(reply);
            Kernel.Result<List<ByteBuffer>> addresses = socket.query(RouteMessages.getAddresses());
            check(what, addresses.errno());
            return new Link(index, RouteMessages.kind(reply), RouteMessages.address(addresses.value(), index));
        });
    }

    private static int index(String what, Netlink socket, String name) {
        return link(what, socket, name).map(RouteMessages::index)
                .orElseThrow(() -> Failure.step(what + ": " + name + ": no such interface"));
    }

    /** The kernel's RTM_NEWLINK message for the link, if there is one. */
    private static Optional<ByteBuffer> link(String what, Netlink socket, String name) {
        Kernel.Result<List<ByteBuffer>> link = socket.query(RouteMessages.getLink(name));
        if (link.errno() == ENODEV) {
            return Optional.empty();
        }
        check(what, link.errno());
        return Optional.of(link.value().get(0));
    }

    private static Netlink socket(String what, Kernel.Result<Netlink> opened) {
        if (!opened.ok()) {
            throw Failure.step(what + ": netlink socket: " + Kernel.get().errorText(opened.errno()));
        }
        return opened.value();
    }

    private static void check(String what, int errno) {
        if (errno != 0) {
            throw Failure.step(what + ": " + Kernel.get().errorText(errno));
        }
    }
}
