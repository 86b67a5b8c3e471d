package dev.isolate.host.network;

import dev.isolate.exit.Failure;
import dev.isolate.spec.Cidr;
import dev.isolate.spec.Ipv4;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Picks addresses: pure, so the rules are unit-tested. */
final class Allocation {
    /** A veth pair of its own gets a /30: the network, the host end, the container, broadcast. */
    static final int PAIR_PREFIX = 30;

    private Allocation() {
    }

    /** The bridge's own address: the subnet's first. */
    static Cidr gateway(Cidr subnet) {
        return subnet.at(subnet.network().plus(1));
    }

    /**
     * A container's address on a bridge: the one asked for, or the first free one after the
     * gateway.
     */
    static Ipv4 onBridge(Cidr gateway, Optional<Ipv4> requested, Set<Ipv4> taken) {
        Ipv4 network = gateway.network();
        Ipv4 broadcast = gateway.broadcast();
        if (requested.isPresent()) {
            Ipv4 address = requested.get();
            if (!gateway.contains(address)) {
                throw Failure.input("--ip " + address + ": not in the bridge's subnet " + network + "/"
                        + gateway.prefix());
            }
            if (address.equals(network) || address.equals(broadcast) || address.equals(gateway.address())) {
                throw Failure.input("--ip " + address + ": is the subnet's own, its broadcast or the bridge's"
                        + " address");
            }
            if (taken.contains(address)) {
                throw Failure.input("--ip " + address + ": already in use by another container");
            }
            return address;
        }
        for (long i = 1; i < gateway.size() - 1; i++) {
            Ipv4 candidate = network.plus(i);
            if (!candidate.equals(gateway.address()) && !taken.contains(candidate)) {
                return candidate;
            }
        }
        throw Failure.input("bridge subnet " + network + "/" + gateway.prefix() + ": every address is in use");
    }

    /** The first /30 of the pool whose own address is not taken. */
    static Cidr pairNetwork(Cidr pool, Set<Ipv4> taken) {
        for (long offset = 0; offset < pool.size(); offset += 4) {
            Ipv4 candidate = pool.network().plus(offset);
            if (!taken.contains(candidate)) {
                return new Cidr(candidate, PAIR_PREFIX);
            }
        }
        throw Failure.input("veth pool " + pool + ": every /30 is in use");
    }

    /** The routes of /proc/net/route, as (interface, destination) pairs. */
    static List<Route> routes(String procNetRoute) {
        List<Route> routes = new ArrayList<>();
        for (String line : procNetRoute.lines().skip(1).toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8) {
                continue;
            }
            // Little-endian hex, as the kernel stores them.
            int destination = Integer.reverseBytes(Integer.parseUnsignedInt(f[1], 16));
            int mask = Integer.reverseBytes(Integer.parseUnsignedInt(f[7], 16));
            routes.add(new Route(f[0], new Cidr(new Ipv4(destination), Integer.bitCount(mask))));
        }
        return routes;
    }

    record Route(String device, Cidr destination) {
    }

    /** A new bridge's subnet must not take traffic that a route already sends elsewhere. */
    static void requireUnrouted(Cidr subnet, List<Route> routes, String what) {
        for (Route route : routes) {
            if (route.destination().prefix() > 0 && route.destination().overlaps(subnet)) {
                throw Failure.input(what + " " + subnet + ": overlaps the route to " + route.destination()
                        + " on " + route.device() + " (choose another with --subnet)");
            }
        }
    }
}
