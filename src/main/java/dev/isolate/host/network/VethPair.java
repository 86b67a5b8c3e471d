package dev.isolate.host.network;

import dev.isolate.dryrun.HostAction;
import dev.isolate.dryrun.StraceNotation;
import dev.isolate.exit.Failure;
import dev.isolate.spec.Cidr;
import dev.isolate.spec.Ipv4;
import dev.isolate.spec.Network;
import dev.isolate.spec.NetworkMode;
import dev.isolate.spec.PublishedPort;
import dev.isolate.state.ProcessIdentity;
import dev.isolate.sys.Kernel;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * --network veth and bridge: a veth pair whose container end becomes eth0 inside. Its
 * addresses (and the bridge, on first use) are settled before the clone, under the ledger's
 * lock; the pair is made while the child waits. When the container ends, its published ports
 * are taken away and its ledger line marked ended; the pair goes with the container's network
 * namespace, which the kernel removes in the background. Not deleting it here is 10-20 ms
 * less of every launch: a veth's removal waits for RCU grace periods. Its address stays taken
 * until a later launch (or gc) has seen the pair gone (see {@link Ledger}).
 */
final class VethPair implements Attachment {
    private final Decision decision;

    private VethPair(Decision decision) {
        this.decision = decision;
    }

    /**
     * A pair as decided from the ledger, before anything is made.
     *
     * @param entry       its ledger line
     * @param newBridge   the bridge to make first, when it does not exist yet
     * @param bridge      the bridge the host end becomes a port of
     * @param hostAddress the host end's address when it is not a bridge port
     */
    record Decision(Network network, Ledger.Entry entry, Optional<Bridges.Bridge> newBridge, Optional<String> bridge,
            Optional<Cidr> hostAddress, Cidr containerAddress, Ipv4 gateway) {
        /** What connects the child whose network namespace is {@code netns}, in order. */
        List<NetworkChange> attachment(String netns) {
            List<NetworkChange> changes = new ArrayList<>();
            changes.add(Links.hostEnd("connect the container (veth " + entry.hostInterface() + ")",
                    entry.hostInterface(), netns, bridge, hostAddress, network.mac(), network.mtu()));
            changes.add(Links.containerEnd("configure the container's " + Links.CONTAINER_INTERFACE, netns,
                    containerAddress, gateway));
            if (!network.published().isEmpty()) {
                changes.add(Tools.Invocation.nft("publish ports", Scripts.publish(entry.owner(),
                        containerAddress.address(), network.published())).change());
            }
            return changes;
        }
    }

    static VethPair prepare(Network network, ProcessIdentity owner) {
        String hostInterface = hostInterface();
        return Ledger.locked(ledger -> {
            reclaim(ledger.removeStale());
            Decision decision = decide(network, owner, hostInterface, ledger.entries());
            decision.newBridge().ifPresent(Bridges::create);
            ledger.add(decision.entry());
            return new VethPair(decision);
        });
    }

    /**
     * What {@link #prepare} would do, read from the ledger as it is now, without its lock:
     * the address is the one a launch now would get, unless another takes it first.
     */
    static List<HostAction> dryRun(Network network, ProcessIdentity owner) {
        List<Ledger.Entry> entries = Ledger.read();
        List<Ledger.Entry> stale = entries.stream().filter(Ledger.Entry::over).toList();
        List<Ledger.Entry> live = entries.stream().filter(entry -> !stale.contains(entry)).toList();
        List<Ledger.Entry> killed = stale.stream().filter(entry -> !entry.ended()).toList();
        Decision decision = decide(network, owner, hostInterface(), live);
        List<HostAction> actions = new ArrayList<>();
        if (!killed.isEmpty()) {
            actions.add(HostAction.before("undo what isolates that were killed left (as isolate gc does)",
                    killed.stream().map(entry -> "ledger line " + entry.line()).toList()));
        }
        decision.newBridge().ifPresent(bridge -> actions.add(HostAction.before("make bridge " + bridge.name()
                + ", kept for the next container", Bridges.creation(bridge))));
        actions.add(HostAction.before("take the address under the ledger's lock (another launch may take it"
                + " first), host end named at random", List.of("append to " + Ledger.file() + ": "
                + decision.entry().line())));
        for (NetworkChange change : decision.attachment("/proc/" + StraceNotation.CHILD + "/ns/net")) {
            actions.add(HostAction.whileWaiting(change.what(), change.lines()));
        }
        return actions;
    }

    /** The addresses and names a pair gets, given the ledger's live entries; checks the input first. */
    private static Decision decide(Network network, ProcessIdentity owner, String hostInterface,
            List<Ledger.Entry> entries) {
        requirePortsFree(network.published(), entries);
        if (network.mode() instanceof NetworkMode.Bridge mode) {
            Bridges.Bridge bridge = Bridges.find(mode.name(), network.subnet());
            Set<Ipv4> taken = entries.stream().filter(e -> e.network().equals(mode.name()))
                    .map(e -> Ipv4.parse("ledger", e.address())).collect(Collectors.toSet());
            Ipv4 address = Allocation.onBridge(bridge.gateway(), network.address(), taken);
            Ledger.Entry entry = new Ledger.Entry(owner, mode.name(), hostInterface, address.toString(),
                    network.published());
            return new Decision(network, entry, bridge.exists() ? Optional.empty() : Optional.of(bridge),
                    Optional.of(mode.name()), Optional.empty(), bridge.gateway().at(address),
                    bridge.gateway().address());
        }
        NetworkMode.Veth veth = (NetworkMode.Veth) network.mode();
        Cidr host;
        Ipv4 container;
        String recorded = "-";
        if (veth.hostAddress().isPresent()) {
            host = veth.hostAddress().get();
            container = veth.containerAddress().get();
        } else {
            Set<Ipv4> taken = entries.stream()
                    .filter(e -> e.network().equals(Ledger.VETH) && !e.address().equals("-"))
                    .map(e -> Ipv4.parse("ledger", e.address())).collect(Collectors.toSet());
            Cidr pair = Allocation.pairNetwork(network.subnet().orElse(Network.DEFAULT_VETH_POOL), taken);
            host = pair.at(pair.network().plus(1));
            container = pair.network().plus(2);
            recorded = pair.network().toString();
        }
        Ledger.Entry entry = new Ledger.Entry(owner, Ledger.VETH, hostInterface, recorded, network.published());
        return new Decision(network, entry, Optional.empty(), Optional.empty(), Optional.of(host),
                host.at(container), host.address());
    }

    private static String hostInterface() {
        return "iso" + HexFormat.of().formatHex(Kernel.get().randomBytes(4));
    }

    @Override
    public void attach(int pid) {
        decision.attachment("/proc/" + pid + "/ns/net").forEach(change -> change.make().run());
    }

    @Override
    public void close() {
        removeRules(List.of(decision.entry()));
        Ledger.locked(ledger -> {
            ledger.end(decision.entry().owner());
            return null;
        });
    }

    /**
     * Undoes what these entries of ended owners name: the host ends that still exist (a pair
     * outlives its container while a process it left behind holds the network namespace, or
     * for the moment the kernel takes to remove it) and the rules of their ports.
     */
    static void reclaim(List<Ledger.Entry> entries) {
        for (Ledger.Entry entry : entries) {
            Links.deleteQuietly("remove veth " + entry.hostInterface(), entry.hostInterface());
        }
        removeRules(entries);
    }

    private static void removeRules(List<Ledger.Entry> entries) {
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
