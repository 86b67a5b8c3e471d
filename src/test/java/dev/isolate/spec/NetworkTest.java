package dev.isolate.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class NetworkTest {
    private static String error(Runnable parse) {
        return assertThrows(Failure.class, parse::run).getMessage();
    }

    @Test
    void modesParse() {
        assertEquals(new NetworkMode.Isolated(), NetworkMode.parse("none"));
        assertEquals(new NetworkMode.Shared(), NetworkMode.parse("host"));
        assertEquals(new NetworkMode.Slirp(), NetworkMode.parse("slirp"));
        assertEquals(new NetworkMode.Bridge("isolate0"), NetworkMode.parse("bridge"));
        assertEquals(new NetworkMode.Bridge("br-test"), NetworkMode.parse("bridge=br-test"));
        assertEquals(new NetworkMode.Veth(Optional.empty(), Optional.empty()), NetworkMode.parse("veth"));
        assertEquals(new NetworkMode.Veth(Optional.of(Cidr.parse("t", "10.0.0.1/24")),
                Optional.of(Ipv4.parse("t", "10.0.0.2"))), NetworkMode.parse("veth:10.0.0.1/24,10.0.0.2"));
        assertEquals("/run/netns/blue", ((NetworkMode.Joined) NetworkMode.parse("ns:blue")).path());
        assertEquals("/proc/42/ns/net", ((NetworkMode.Joined) NetworkMode.parse("pid:42")).path());
        assertFalse(NetworkMode.parse("pid:42").createsNamespace());
        assertFalse(NetworkMode.parse("host").createsNamespace());
        assertTrue(NetworkMode.parse("slirp").createsNamespace());
    }

    @Test
    void badModesSayWhatIsExpected() {
        assertEquals("--network wifi: not a network mode: expected none, host, veth, bridge, ns:NAME, pid:PID or slirp",
                error(() -> NetworkMode.parse("wifi")));
        assertTrue(error(() -> NetworkMode.parse("ns:../etc")).contains("expected ns:NAME"));
        assertTrue(error(() -> NetworkMode.parse("pid:0")).contains("expected pid:PID"));
        assertTrue(error(() -> NetworkMode.parse("bridge=a-name-far-too-long")).contains("1 to 15"));
        assertTrue(error(() -> NetworkMode.parse("veth:10.0.0.1/24,10.0.1.2")).contains("one network"));
        assertTrue(error(() -> NetworkMode.parse("veth:10.0.0.1/24,10.0.0.1")).contains("different"));
        assertTrue(error(() -> NetworkMode.parse("veth:10.0.0.1/24,10.0.0.255")).contains("broadcast"));
        assertTrue(error(() -> NetworkMode.parse("veth:10.0.0.1")).contains("HOSTADDR/PREFIX,CONTAINERADDR"));
        assertTrue(error(() -> NetworkMode.parse("veth:10.0.0.1,10.0.0.2")).contains("ADDRESS/PREFIX"));
        assertTrue(error(() -> NetworkMode.parse("host=x")).contains("takes no value"));
    }

    @Test
    void addressesAndPortsParse() {
        assertEquals("10.88.0.5", Ipv4.parse("--ip", "10.88.0.5").toString());
        assertEquals("--ip \"10.88.0.256\": not an IPv4 address (like 10.88.0.5)",
                error(() -> Ipv4.parse("--ip", "10.88.0.256")));
        assertTrue(error(() -> Ipv4.parse("--ip", "010.1.1.1")).contains("not an IPv4"));
        Cidr net = Cidr.parse("--subnet", "10.88.0.0/16");
        assertEquals("10.88.255.255", net.broadcast().toString());
        assertTrue(net.contains(Ipv4.parse("t", "10.88.3.4")));
        assertTrue(net.overlaps(Cidr.parse("t", "10.88.4.0/24")));
        assertFalse(net.overlaps(Cidr.parse("t", "10.89.0.0/24")));
        assertEquals(new PublishedPort(8080, 80, PublishedPort.Protocol.TCP), PublishedPort.parse("8080:80"));
        assertEquals(new PublishedPort(53, 5353, PublishedPort.Protocol.UDP), PublishedPort.parse("53:5353/udp"));
        assertTrue(error(() -> PublishedPort.parse("8080")).contains("HOSTPORT:CONTAINERPORT"));
        assertTrue(error(() -> PublishedPort.parse("8080:70000")).contains("not a port"));
        assertTrue(error(() -> PublishedPort.parse("8080:80/sctp")).contains("tcp or udp"));
    }

    @Test
    void settingsBelongToTheModesThatUseThem() {
        NetworkMode bridge = NetworkMode.parse("bridge");
        Optional<Cidr> subnet = Optional.of(Cidr.parse("t", "10.90.0.0/24"));
        assertTrue(error(() -> new Network(new NetworkMode.Shared(), subnet, Optional.empty(), List.of(),
                Optional.empty(), OptionalInt.empty(), List.of())).startsWith("--subnet: only for"));
        assertTrue(error(() -> new Network(bridge, Optional.of(Cidr.parse("t", "10.90.0.1/24")), Optional.empty(),
                List.of(), Optional.empty(), OptionalInt.empty(), List.of())).contains("10.90.0.0/24"));
        assertTrue(error(() -> new Network(bridge, subnet, Optional.of(Ipv4.parse("t", "10.91.0.2")), List.of(),
                Optional.empty(), OptionalInt.empty(), List.of())).contains("not in the subnet"));
        assertTrue(error(() -> new Network(NetworkMode.parse("slirp"), Optional.empty(), Optional.empty(),
                List.of(), Optional.of("02:00:00:00:00:01"), OptionalInt.empty(), List.of())).startsWith("--mac"));
        assertTrue(error(() -> new Network(bridge, Optional.empty(), Optional.empty(), List.of(),
                Optional.of("01:00:00:00:00:01"), OptionalInt.empty(), List.of())).contains("unicast"));
        assertTrue(error(() -> new Network(bridge, Optional.empty(), Optional.empty(), List.of(), Optional.empty(),
                OptionalInt.of(20), List.of())).contains("68 to 65535"));
        assertTrue(error(() -> new Network(new NetworkMode.Isolated(), Optional.empty(), Optional.empty(),
                List.of(), Optional.empty(), OptionalInt.empty(), List.of(PublishedPort.parse("80:80"))))
                .startsWith("--publish: only for"));
        assertTrue(error(() -> new Network(bridge, Optional.empty(), Optional.empty(), List.of(), Optional.empty(),
                OptionalInt.empty(), List.of(PublishedPort.parse("80:80"), PublishedPort.parse("80:81"))))
                .contains("published twice"));
    }
}
