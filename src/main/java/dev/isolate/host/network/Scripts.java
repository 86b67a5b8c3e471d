package dev.isolate.host.network;

import dev.isolate.spec.Cidr;
import dev.isolate.spec.Ipv4;
import dev.isolate.spec.PublishedPort;
import dev.isolate.state.ProcessIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The nft scripts of the host side: pure text, so that what isolate asks of the host is
 * unit-tested and shown by -v as an administrator would type it.
 */
final class Scripts {
    /** isolate's own nftables table; its rules carry comments that say whose they are. */
    static final String TABLE = "ip isolate";
    private static final Pattern RULE = Pattern.compile("comment \"([^\"]*)\" # handle (\\d+)$");
    private static final Pattern CHAIN = Pattern.compile("^\\s*chain (\\S+) \\{");

    private Scripts() {
    }

    /** The table and its three NAT chains; adding what exists changes nothing. */
    static String table() {
        return "add table " + TABLE + "\n"
                + "add chain " + TABLE + " prerouting { type nat hook prerouting priority dstnat; }\n"
                + "add chain " + TABLE + " output { type nat hook output priority -100; }\n"
                + "add chain " + TABLE + " postrouting { type nat hook postrouting priority srcnat; }\n";
    }

    static String bridgeComment(String bridge) {
        return "isolate bridge " + bridge;
    }

    static String ownerComment(ProcessIdentity owner) {
        return "isolate " + owner.pid() + " " + owner.startTime();
    }

    /**
     * Outbound traffic from the bridge's subnet leaves with the host's address. Connections
     * from the host's loopback to a published port leave for the bridge with 127.0.0.1, which
     * the container could not answer: they are masqueraded too.
     */
    static String masquerade(String bridge, Cidr subnet) {
        String comment = " comment \"" + bridgeComment(bridge) + "\"\n";
        return table()
                + "add rule " + TABLE + " postrouting ip saddr " + subnet + " ip daddr != " + subnet + " masquerade"
                + comment
                + "add rule " + TABLE + " postrouting oifname \"" + bridge + "\" ip saddr 127.0.0.0/8 masquerade"
                + comment;
    }

    /**
     * Connections to a host port go to the container: from elsewhere (prerouting), and from
     * the host itself to any of its own addresses (output).
     */
    static String publish(ProcessIdentity owner, Ipv4 container, List<PublishedPort> ports) {
        String comment = " comment \"" + ownerComment(owner) + "\"\n";
        StringBuilder script = new StringBuilder(table());
        for (PublishedPort port : ports) {
            String match = port.protocol().lowerCase() + " dport " + port.hostPort() + " dnat to " + container + ":"
                    + port.containerPort();
            script.append("add rule ").append(TABLE).append(" prerouting fib daddr type local ").append(match)
                    .append(comment);
            script.append("add rule ").append(TABLE).append(" output fib daddr type local ").append(match)
                    .append(comment);
        }
        return script.toString();
    }

    /**
     * The deletions of the rules whose comment passes, read off {@code nft -a list table};
     * empty when there are none.
     */
    static String deleteRules(String listing, Predicate<String> comment) {
        StringBuilder script = new StringBuilder();
        String chain = null;
        for (String line : listing.lines().toList()) {
            Matcher chainLine = CHAIN.matcher(line);
            if (chainLine.find()) {
                chain = chainLine.group(1);
                continue;
            }
            Matcher rule = RULE.matcher(line.strip());
            if (chain != null && rule.find() && comment.test(rule.group(1))) {
                script.append("delete rule ").append(TABLE).append(' ').append(chain).append(" handle ")
                        .append(rule.group(2)).append('\n');
            }
        }
        return script.toString();
    }

    /** The owners named by the comments of rules in a listing. */
    static List<ProcessIdentity> ruleOwners(String listing) {
        List<ProcessIdentity> owners = new ArrayList<>();
        Matcher owner = Pattern.compile("comment \"isolate (\\d+) (\\d+)\"").matcher(listing);
        while (owner.find()) {
            ProcessIdentity identity = new ProcessIdentity(Long.parseLong(owner.group(1)),
                    Long.parseLong(owner.group(2)));
            if (!owners.contains(identity)) {
                owners.add(identity);
            }
        }
        return owners;
    }
}
