package dev.isolate.host.network;

import dev.isolate.exit.Failure;
import dev.isolate.host.Sysctl;
import dev.isolate.spec.Cidr;
import dev.isolate.spec.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The bridges containers share: made on first use, kept for the next, removed on request. */
final class Bridges {
    private static final String IP_FORWARD = "/proc/sys/net/ipv4/ip_forward";

    private Bridges() {
    }

    /**
     * A bridge as a launch finds it.
     *
     * @param gateway the bridge's own address with its prefix (the containers' gateway): the
     *                existing bridge's, or the one {@link #create} gives a new bridge
     * @param exists  whether the bridge is there already
     */
    record Bridge(String name, Cidr gateway, boolean exists) {
    }

    /**
     * The bridge a container goes on, checked against what is there (its subnet, the routes)
     * but not made: a launch checks the rest of its input before anything on the host changes.
     */
    static Bridge find(String name, Optional<Cidr> requested) {
        Optional<Cidr> existing = gateway(name);
        if (existing.isPresent()) {
            Cidr gateway = existing.get();
            Cidr subnet = new Cidr(gateway.network(), gateway.prefix());
            requested.filter(wanted -> !wanted.equals(subnet)).ifPresent(wanted -> {
                throw Failure.input("--subnet " + wanted + ": bridge " + name + " exists with " + subnet
                        + " (isolate network rm " + name + " removes it)");
            });
            return new Bridge(name, gateway, true);
        }
        Cidr subnet = requested.orElse(Network.DEFAULT_BRIDGE_SUBNET);
        Allocation.requireUnrouted(subnet, Allocation.routes(read("/proc/self/net/route")),
                "bridge " + name + ": subnet");
        return new Bridge(name, Allocation.gateway(subnet), false);
    }

    /**
     * Makes a bridge {@link #find} did not find, with its masquerade rules, and switches on
     * IPv4 forwarding; a step that fails undoes the ones before. Called under the ledger's
     * lock, so two first launches make it once.
     */
    static void create(Bridge bridge) {
        String name = bridge.name();
        Cidr subnet = new Cidr(bridge.gateway().network(), bridge.gateway().prefix());
        creationOf(bridge).make().run();
        String forwarding = null;
        try {
            // Lets connections from the host's 127.0.0.1 to a published port leave for the bridge.
            write(routeLocalnet(name), "1");
            forwarding = Sysctl.read(IP_FORWARD).orElseThrow(() -> Failure.step(IP_FORWARD + ": not there"));
            write(IP_FORWARD, "1");
            // Last, as the one step that cannot half happen: nft -f is one transaction.
            Tools.nft("masquerade bridge " + name, Scripts.masquerade(name, subnet));
        } catch (RuntimeException e) {
            if (forwarding != null && !forwarding.equals("1")) {
                writeQuietly(IP_FORWARD, forwarding);
            }
            Links.deleteQuietly("remove bridge " + name, name);
            throw e;
        }
    }

    /** What {@link #create} does, for a dry run: its commands and writes, in its order. */
    static List<String> creation(Bridge bridge) {
        String name = bridge.name();
        Cidr subnet = new Cidr(bridge.gateway().network(), bridge.gateway().prefix());
        List<String> lines = new ArrayList<>(creationOf(bridge).lines());
        lines.add("echo 1 > " + routeLocalnet(name));
        lines.add("echo 1 > " + IP_FORWARD + " (put back if a later step fails)");
        lines.addAll(Tools.Invocation.nft("masquerade bridge " + name, Scripts.masquerade(name, subnet)).lines());
        return lines;
    }

    private static NetworkChange creationOf(Bridge bridge) {
        return Links.newBridge("create bridge " + bridge.name(), bridge.name(), bridge.gateway());
    }

    private static String routeLocalnet(String bridge) {
        return "/proc/sys/net/ipv4/conf/" + bridge + "/route_localnet";
    }

    /** Removes the bridge and its masquerade rules. */
    static void remove(String name) {
        String what = "remove bridge " + name;
        Links.Link link = Links.find(what, name)
                .orElseThrow(() -> Failure.input("network rm " + name + ": no such bridge"));
        requireBridge(name, link);
        Links.delete(what, name);
        Rules.delete(comment -> comment.equals(Scripts.bridgeComment(name)));
    }

    /** The bridge's IPv4 address, if the bridge exists. */
    private static Optional<Cidr> gateway(String name) {
        return Links.find("bridge " + name, name).map(link -> {
            requireBridge(name, link);
            return link.address().orElseThrow(() -> Failure.input("bridge " + name
                    + ": has no IPv4 address (isolate network rm " + name + " removes it)"));
        });
    }

    private static void requireBridge(String name, Links.Link link) {
        if (!link.kind().equals(Optional.of("bridge"))) {
            throw Failure.input("--network bridge=" + name + ": " + name + " is an interface but not a bridge");
        }
    }

    /** The interfaces of isolate's network namespace. */
    static Set<String> interfaces() {
        return read("/proc/self/net/dev").lines().skip(2).map(line -> line.substring(0, line.indexOf(':')).strip())
                .collect(Collectors.toSet());
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw Failure.step(file + ": " + Failure.reason(e));
        }
    }

    private static void write(String file, String value) {
        try {
            Files.writeString(Path.of(file), value);
        } catch (IOException e) {
            throw Failure.step(file + ": " + Failure.reason(e));
        }
    }

    private static void writeQuietly(String file, String value) {
        try {
            write(file, value);
        } catch (Failure e) {
            // undoing a step that failed: the first failure is the one reported
        }
    }
}
