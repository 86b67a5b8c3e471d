package dev.isolate.spec;

import dev.isolate.exit.Failure;

/** An IPv4 address with a prefix length, which names the network it lies in: 10.88.0.1/16. */
public record Cidr(Ipv4 address, int prefix) {
    public Cidr {
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("prefix length " + prefix);
        }
    }

    public static Cidr parse(String what, String text) {
        int slash = text.indexOf('/');
        String length = slash < 0 ? "" : text.substring(slash + 1);
        if (!length.matches("[0-9]{1,2}") || Integer.parseInt(length) > 32) {
            throw Failure.input(what + " \"" + text + "\": expected ADDRESS/PREFIX, like 10.88.0.0/16");
        }
        return new Cidr(Ipv4.parse(what, text.substring(0, slash)), Integer.parseInt(length));
    }

    public int mask() {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    public Ipv4 network() {
        return new Ipv4(address.bits() & mask());
    }

    public Ipv4 broadcast() {
        return new Ipv4(address.bits() | ~mask());
    }

    /** How many addresses the network spans, its own and the broadcast address included. */
    public long size() {
        return 1L << (32 - prefix);
    }

    public boolean contains(Ipv4 other) {
        return (other.bits() & mask()) == network().bits();
    }

    public boolean overlaps(Cidr other) {
        Cidr wider = prefix <= other.prefix ? this : other;
        Cidr narrower = wider == this ? other : this;
        return wider.contains(narrower.address());
    }

    /** The same network with this address in it. */
    public Cidr at(Ipv4 host) {
        return new Cidr(host, prefix);
    }

    @Override
    public String toString() {
        return address + "/" + prefix;
    }
}
