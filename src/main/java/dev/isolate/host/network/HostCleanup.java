package dev.isolate.host.network;

import dev.isolate.exit.Failure;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** isolate gc and isolate network rm: what outlives containers on the host, removed on request. */
public final class HostCleanup {
    private HostCleanup() {
    }

    /**
     * Removes what containers whose isolate was killed left in this network namespace: host
     * ends of veth pairs, published ports, address leases, as the ledger names them; and rules
     * whose isolate has ended. The lines of containers that ended go too, said only when a
     * host end was still there (a process the container left behind kept its namespace).
     *
     * @return one line per removed thing
     */
    public static List<String> collect() {
        return Ledger.locked(ledger -> {
            List<String> removed = new ArrayList<>();
            List<Ledger.Entry> stale = ledger.removeStale();
            Set<String> interfaces = Bridges.interfaces();
            for (Ledger.Entry entry : stale) {
                if (entry.ended()) {
                    if (interfaces.contains(entry.hostInterface())) {
                        removed.add("veth " + entry.hostInterface() + ", of isolate " + entry.owner().pid()
                                + ", whose container had ended");
                    }
                    continue;
                }
                removed.add((interfaces.contains(entry.hostInterface()) ? "veth " + entry.hostInterface() + ", " : "")
                        + (entry.network().equals(Ledger.VETH) ? "" : "address " + entry.address() + " on "
                        + entry.network() + ", ") + (entry.ports().isEmpty() ? "" : "ports " + entry.ports() + ", ")
                        + "of isolate " + entry.owner().pid());
            }
            VethPair.reclaim(stale);
            // Rules can outlive their ledger line only if isolate died between writing the two.
            Set<String> orphans = Scripts.ruleOwners(Rules.listing()).stream()
                    .filter(owner -> !owner.alive() && stale.stream().noneMatch(e -> e.owner().equals(owner)))
                    .map(Scripts::ownerComment).collect(Collectors.toSet());
            if (!orphans.isEmpty()) {
                Rules.delete(orphans::contains);
                orphans.forEach(comment -> removed.add("rules of " + comment));
            }
            return removed;
        });
    }

    /**
     * Removes the state isolate keeps for this network namespace, which has no container left
     * and ends with everything in it (a JVM cache's training makes one of its own).
     */
    public static void forgetNamespace() {
        Ledger.forget();
    }

    /**
     * Removes a bridge isolate made, and its masquerade rules, once no container uses it.
     */
    public static void removeBridge(String name) {
        Ledger.locked(ledger -> {
            VethPair.reclaim(ledger.removeStale());
            long users = ledger.entries().stream().filter(entry -> entry.network().equals(name)).count();
            if (users > 0) {
                throw Failure.input("network rm " + name + ": " + users + " running container"
                        + (users == 1 ? " uses" : "s use") + " it");
            }
            Bridges.remove(name);
            return null;
        });
    }
}
