package dev.isolate.host.network;

import dev.isolate.exit.Failure;
import dev.isolate.spec.Cidr;
import dev.isolate.spec.Ipv4;
import dev.isolate.spec.Network;
import dev.isolate.spec.NetworkMode;
import dev.isolate.spec.PublishedPort;
import dev.isolate.state.ProcessIdentity;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * --network veth and bridge: a veth pair whose container end becomes eth0 inside. Its
 * addresses (and the bridge, on first use) are settled before the clone, under the ledger's
 * lock; the pair is made while the child waits, and removed, with its published ports, when
 * the container ends.
 */
final class VethPair implements Attachment {
    private final Network network;
    private final Ledger.Entry entry;
    private final Optional<String> bridge;
    /** The host end's address when it is not a bridge port. */
    private final Optional<Cidr> hostAddress;
    private final Cidr containerAddress;
    private final Ipv4 gateway;

    private VethPair(Network network, Ledger.Entry entry, Optional<String> bridge,
            Optional<Cidr> hostAddress, Cidr containerAddress, Ipv4 gateway) {
        this.network = network;
        this.entry = entry;
        this.bridge = bridge;
        this.hostAddress = hostAddress;
        this.containerAddress = containerAddress;
        this.gateway = gateway;
    }

    static VethPair prepare(Network network, ProcessIdentity owner) {
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        String hostInterface = "iso" + HexFormat.of().formatHex(random);
        return Ledger.locked(ledger -> {
            reclaim(ledger.removeStale());
            requirePortsFree(network.published(), ledger.entries());
            if (network.mode() instanceof NetworkMode.Bridge mode) {
                Bridges.Bridge bridge = Bridges.find(mode.name(), network.subnet());
                Set<Ipv4> taken = ledger.entries().stream().filter(e -> e.network().equals(mode.name()))
                        .map(e -> Ipv4.parse("ledger", e.address())).collect(Collectors.toSet());
                Ipv4 address = Allocation.onBridge(bridge.gateway(), network.address(), taken);
                if (!bridge.exists()) {
                    Bridges.create(bridge);
                }
                Ledger.Entry entry = new Ledger.Entry(owner, mode.name(), hostInterface, address.toString(),
                        network.published());
                ledger.add(entry);
                return new VethPair(network, entry, Optional.of(mode.name()), Optional.empty(),
                        bridge.gateway().at(address), bridge.gateway().address());
            }
            NetworkMode.Veth veth = (NetworkMode.Veth) network.mode();
            Cidr host;
            Ipv4 container;
            String recorded = "-";
            if (veth.hostAddress().isPresent()) {
                host = veth.hostAddress().get();
                container = veth.containerAddress().get();
            } else {
                Set<Ipv4> taken = ledger.entries().stream()
                        .filter(e -> e.network().equals(Ledger.VETH) && !e.address().equals("-"))
                        .map(e -> Ipv4.parse("ledger", e.address())).collect(Collectors.toSet());
                Cidr pair = Allocation.pairNetwork(network.subnet().orElse(Network.DEFAULT_VETH_POOL), taken);
                host = pair.at(pair.network().plus(1));
                container = pair.network().plus(2);
                recorded = pair.network().toString();
            }
            Ledger.Entry entry = new Ledger.Entry(owner, Ledger.VETH, hostInterface, recorded, network.published());
            ledger.add(entry);
            return new VethPair(network, entry, Optional.empty(), Optional.of(host), host.at(container),
                    host.address());
        });
    }

    @Override
    public void attach(int pid) {
        String netns = "/proc/" + pid + "/ns/net";
        Tools.ip("connect the container (veth " + entry.hostInterface() + ")", Scripts.hostEnd(entry.hostInterface(),
                netns, bridge, hostAddress, network.mac(), network.mtu()));
        Tools.run("configure the container's " + Scripts.CONTAINER_INTERFACE,
                List.of("nsenter", "--net=" + netns, "ip", "-batch", "-"),
                Scripts.containerEnd(containerAddress, gateway));
        if (!network.published().isEmpty()) {
            Tools.nft("publish ports", Scripts.publish(entry.owner(), containerAddress.address(),
                    network.published()));
        }
    }

    @Override
    public void close() {
        reclaim(List.of(entry));
        Ledger.locked(ledger -> {
            ledger.remove(entry.owner());
            return null;
        });
    }

    /** Undoes what these entries name: the host ends that still exist and their rules. */
    static void reclaim(List<Ledger.Entry> entries) {
        Set<String> interfaces = entries.isEmpty() ? Set.of() : Bridges.interfaces();
        for (Ledger.Entry entry : entries) {
            if (interfaces.contains(entry.hostInterface())) {
                Tools.runQuietly(List.of("ip", "link", "del", entry.hostInterface()), "");
            }
        }
        Set<String> comments = entries.stream().filter(entry -> !entry.ports().isEmpty())
                .map(entry -> Scripts.ownerComment(entry.owner())).collect(Collectors.toSet());
        if (!comments.isEmpty()) {
            Rules.delete(comments::contains);
        }
    }

    private static void requirePortsFree(List<PublishedPort> wanted, List<Ledger.Entry> entries) {
        for (PublishedPort port : wanted) {
            for (Ledger.Entry entry : entries) {
                for (PublishedPort taken : entry.ports()) {
                    if (taken.hostPort() == port.hostPort() && taken.protocol() == port.protocol()) {
                        throw Failure.input("--publish " + port + ": host port " + port.hostPort() + "/"
                                + port.protocol().lowerCase() + " is already published by isolate "
                                + entry.owner().pid());
                    }
                }
            }
        }
    }
}
