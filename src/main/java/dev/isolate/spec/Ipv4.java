package dev.isolate.spec;

import dev.isolate.exit.Failure;

/** An IPv4 address, as the 32 bits the kernel uses. */
public record Ipv4(int bits) {
    /** @param what names the option in the error, e.g. {@code --ip} */
    public static Ipv4 parse(String what, String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw notAnAddress(what, text);
        }
        int bits = 0;
        for (String part : parts) {
            if (!part.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(part) > 255) {
                throw notAnAddress(what, text);
            }
            bits = bits << 8 | Integer.parseInt(part);
        }
        return new Ipv4(bits);
    }

    private static Failure notAnAddress(String what, String text) {
        return Failure.input(what + " \"" + text + "\": not an IPv4 address (like 10.88.0.5)");
    }

    public Ipv4 plus(long n) {
        return new Ipv4((int) (bits + n));
    }

    /**
     * Written out because every network launch compares addresses: the generated equals and
     * hashCode would spin method handles (java.lang.runtime.ObjectMethods) at their first call.
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof Ipv4 address && address.bits == bits;
    }

    @Override
    public int hashCode() {
        return bits;
    }

    @Override
    public String toString() {
        return (bits >>> 24) + "." + (bits >>> 16 & 255) + "." + (bits >>> 8 & 255) + "." + (bits & 255);
    }
}
