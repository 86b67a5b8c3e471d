package dev.isolate.spec;

import dev.isolate.exit.Failure;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * The container's network: the mode and the settings that go with it.
 *
 * @param mode      which network
 * @param subnet    bridge: the network of a bridge isolate creates; veth: the pool that pairs
 *                  without addresses take a /30 from
 * @param address   bridge: the container's address, instead of the first free one
 * @param dns       name servers for the container's /etc/resolv.conf (with a root filesystem)
 * @param mac       the hardware address of the container's eth0
 * @param mtu       the MTU of the container's interface (and of the host end)
 * @param published host ports whose connections go to the container
 */
public record Network(NetworkMode mode, Optional<Cidr> subnet, Optional<Ipv4> address, List<Ipv4> dns,
        Optional<String> mac, OptionalInt mtu, List<PublishedPort> published) {
    public static final Cidr DEFAULT_BRIDGE_SUBNET = new Cidr(new Ipv4(10 << 24 | 88 << 16), 16);
    public static final Cidr DEFAULT_VETH_POOL = new Cidr(new Ipv4(10 << 24 | 89 << 16), 16);
    /** The smallest MTU IPv4 allows, and the largest a veth takes. */
    static final int MIN_MTU = 68;
    static final int MAX_MTU = 65535;
    private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");

    public Network {
        dns = List.copyOf(dns);
        published = List.copyOf(published);
        boolean bridge = mode instanceof NetworkMode.Bridge;
        boolean pool = mode instanceof NetworkMode.Veth veth && veth.hostAddress().isEmpty();
        if (subnet.isPresent()) {
            if (!bridge && !pool) {
                throw Failure.input("--subnet: only for --network bridge, or veth without addresses");
            }
            Cidr net = subnet.get();
            if (!net.address().equals(net.network())) {
                throw Failure.input("--subnet " + net + ": give the network's own address, "
                        + net.network() + "/" + net.prefix());
            }
            if (net.prefix() > 30 || net.prefix() < 8) {
                throw Failure.input("--subnet " + net + ": the prefix must be 8 to 30");
            }
        }
        if (address.isPresent()) {
            if (!bridge) {
                throw Failure.input("--ip: only for --network bridge (veth takes its addresses in its value)");
            }
            subnet.filter(net -> !net.contains(address.get())).ifPresent(net -> {
                throw Failure.input("--ip " + address.get() + ": not in the subnet " + net);
            });
        }
        mac.ifPresent(value -> {
            if (!mode.usesVeth()) {
                throw Failure.input("--mac: only for --network veth or bridge");
            }
            if (!MAC.matcher(value).matches() || (Integer.parseInt(value.substring(0, 2), 16) & 1) != 0) {
                throw Failure.input("--mac " + value + ": expected a unicast address like 02:42:ac:11:00:02");
            }
        });
        mtu.ifPresent(value -> {
            if (!mode.usesVeth() && !(mode instanceof NetworkMode.Slirp)) {
                throw Failure.input("--mtu: only for --network veth, bridge or slirp");
            }
            if (value < MIN_MTU || value > MAX_MTU) {
                throw Failure.input("--mtu " + value + ": must be " + MIN_MTU + " to " + MAX_MTU);
            }
        });
        if (!published.isEmpty() && !mode.usesVeth() && !(mode instanceof NetworkMode.Slirp)) {
            throw Failure.input("--publish: only for --network veth, bridge or slirp");
        }
        for (int i = 0; i < published.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (published.get(i).hostPort() == published.get(j).hostPort()
                        && published.get(i).protocol() == published.get(j).protocol()) {
                    throw Failure.input("--publish " + published.get(i) + ": host port "
                            + published.get(i).hostPort() + " is published twice");
                }
            }
        }
    }
}
