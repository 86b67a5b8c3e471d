package dev.isolate.host.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isolate.spec.Cidr;
import dev.isolate.spec.Ipv4;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** What -v and --dry-run show of the rtnetlink requests: the ip commands that make the same. */
class LinksTest {
    @Test
    void theContainerEndIsMadeInItsNamespaceAndTheHostEndJoinsTheBridge() {
        assertEquals(List.of("ip link add iso00000001 mtu 1400 type veth peer name eth0 mtu 1400"
                        + " address 02:00:00:00:00:01 netns /proc/42/ns/net", "ip link set iso00000001 master isolate0 up"),
                Links.hostEnd("t", "iso00000001", "/proc/42/ns/net", Optional.of("isolate0"), Optional.empty(),
                        Optional.of("02:00:00:00:00:01"), OptionalInt.of(1400)).lines());
        assertEquals(List.of("ip link add iso00000002 type veth peer name eth0 netns /proc/42/ns/net",
                        "ip addr add 10.89.0.1/30 dev iso00000002", "ip link set iso00000002 up"),
                Links.hostEnd("t", "iso00000002", "/proc/42/ns/net", Optional.empty(),
                        Optional.of(Cidr.parse("t", "10.89.0.1/30")), Optional.empty(), OptionalInt.empty()).lines());
        assertEquals(List.of("nsenter --net=/proc/42/ns/net ip addr add 10.88.0.2/16 dev eth0",
                        "nsenter --net=/proc/42/ns/net ip link set eth0 up",
                        "nsenter --net=/proc/42/ns/net ip route add default via 10.88.0.1"),
                Links.containerEnd("t", "/proc/42/ns/net", Cidr.parse("t", "10.88.0.2/16"),
                        Ipv4.parse("t", "10.88.0.1")).lines());
        assertEquals(List.of("ip link add isolate0 type bridge", "ip addr add 10.88.0.1/16 dev isolate0",
                "ip link set isolate0 up"), Links.newBridge("t", "isolate0", Cidr.parse("t", "10.88.0.1/16")).lines());
    }
}
