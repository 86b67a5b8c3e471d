package dev.isolate.spec;

import dev.isolate.exit.Failure;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Which network the container has: the value of --network. */
public sealed interface NetworkMode {
    /** The kernel's limit for interface names (IFNAMSIZ, less its terminating NUL). */
    int MAX_INTERFACE_NAME = 15;
    String DEFAULT_BRIDGE = "isolate0";

    /** none, or -n: a new namespace with only lo, up. */
    record Isolated() implements NetworkMode {
    }

    /** host: the caller's own network namespace. */
    record Shared() implements NetworkMode {
    }

    /**
     * veth: a pair whose host end stays on the host and whose other end is the container's
     * eth0, with a default route via the host end. Without addresses the pair takes the first
     * free /30 of the veth pool.
     */
    record Veth(Optional<Cidr> hostAddress, Optional<Ipv4> containerAddress) implements NetworkMode {
        public Veth {
            if (hostAddress.isPresent() != containerAddress.isPresent()) {
                throw new IllegalArgumentException("veth addresses come in pairs");
            }
            if (hostAddress.isPresent()) {
                Cidr host = hostAddress.get();
                Ipv4 container = containerAddress.get();
                String what = "--network veth:" + host + "," + container;
                if (host.prefix() > 30 || !host.contains(container)) {
                    throw Failure.input(what + ": both addresses must lie in one network of /30 or wider");
                }
                for (Ipv4 address : new Ipv4[] {host.address(), container}) {
                    if (address.equals(host.network()) || address.equals(host.broadcast())) {
                        throw Failure.input(what + ": " + address + " is the network's own or its broadcast"
                                + " address");
                    }
                }
                if (host.address().equals(container)) {
                    throw Failure.input(what + ": the two ends need different addresses");
                }
            }
        }
    }

    /** bridge: a veth pair whose host end is a port of a Linux bridge, with masquerading. */
    record Bridge(String name) implements NetworkMode {
        public Bridge {
            requireInterfaceName("--network bridge=" + name, name);
        }
    }

    /**
     * ns:NAME and pid:PID: an existing namespace, entered with setns.
     *
     * @param description names it in messages: "the network namespace of process 42"
     */
    record Joined(String path, String description) implements NetworkMode {
    }

    /** slirp: a user-mode network stack (slirp4netns) behind a tap device, no privilege needed. */
    record Slirp() implements NetworkMode {
    }

    /** The words that begin a mode. */
    List<String> MODES = List.of("none", "host", "veth", "bridge", "ns", "pid", "slirp");

    public static NetworkMode parse(String text) {
        int colon = text.indexOf(':');
        int equals = text.indexOf('=');
        String kind = colon >= 0 ? text.substring(0, colon) : equals >= 0 ? text.substring(0, equals) : text;
        String value = text.substring(kind.length() + (kind.length() < text.length() ? 1 : 0));
        boolean hasValue = kind.length() < text.length();
        String what = "--network " + text;
        switch (kind) {
            case "none", "host", "slirp" -> {
                if (hasValue) {
                    throw Failure.input(what + ": " + kind + " takes no value");
                }
                return kind.equals("none") ? new Isolated() : kind.equals("host") ? new Shared() : new Slirp();
            }
            case "bridge" -> {
                if (colon >= 0 && (equals < 0 || colon < equals)) {
                    throw Failure.input(what + ": expected bridge or bridge=NAME");
                }
                return new Bridge(hasValue ? value : DEFAULT_BRIDGE);
            }
            case "veth" -> {
                if (!hasValue) {
                    return new Veth(Optional.empty(), Optional.empty());
                }
                String[] pair = value.split(",", -1);
                if (colon < 0 || pair.length != 2) {
                    throw Failure.input(what + ": expected veth or veth:HOSTADDR/PREFIX,CONTAINERADDR");
                }
                return new Veth(Optional.of(Cidr.parse(what, pair[0])), Optional.of(Ipv4.parse(what, pair[1])));
            }
            case "ns" -> {
                if (value.isEmpty() || value.equals(".") || value.equals("..") || value.contains("/")
                        || value.contains("\0")) {
                    throw Failure.input(what + ": expected ns:NAME, a name from ip netns list");
                }
                return new Joined("/run/netns/" + value, "the network namespace \"" + value + "\"");
            }
            case "pid" -> {
                if (!value.matches("[1-9][0-9]{0,9}")) {
                    throw Failure.input(what + ": expected pid:PID");
                }
                return new Joined("/proc/" + value + "/ns/net", "the network namespace of process " + value);
            }
            default -> throw Failure.input(what + ": not a network mode"
                    + Spelling.nearest(kind, MODES).map(mode -> " (did you mean " + mode + "?)").orElse("")
                    + ": expected none, host, veth, bridge, ns:NAME, pid:PID or slirp");
        }
    }

    static void requireInterfaceName(String what, String name) {
        if (!INTERFACE_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw Failure.input(what + ": an interface name is 1 to " + MAX_INTERFACE_NAME
                    + " letters, digits, '_', '.' or '-'");
        }
    }

    Pattern INTERFACE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1," + MAX_INTERFACE_NAME + "}");

    /** Whether the container gets a network namespace of its own, created with it. */
    default boolean createsNamespace() {
        return !(this instanceof Shared || this instanceof Joined);
    }

    /** Whether isolate plugs a veth pair into the namespace from the host's side. */
    default boolean usesVeth() {
        return this instanceof Veth || this instanceof Bridge;
    }
}
