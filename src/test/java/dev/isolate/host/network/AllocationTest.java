package dev.isolate.host.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import dev.isolate.spec.Cidr;
import dev.isolate.spec.Ipv4;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AllocationTest {
    private static Ipv4 ip(String text) {
        return Ipv4.parse("test", text);
    }

    @Test
    void bridgeAddressesStartAfterTheGatewayAndSkipTakenOnes() {
        Cidr gateway = Allocation.gateway(Cidr.parse("test", "10.88.0.0/16"));
        assertEquals("10.88.0.1/16", gateway.toString());
        assertEquals(ip("10.88.0.2"), Allocation.onBridge(gateway, Optional.empty(), Set.of()));
        assertEquals(ip("10.88.0.4"), Allocation.onBridge(gateway, Optional.empty(),
                Set.of(ip("10.88.0.2"), ip("10.88.0.3"))));
        assertEquals(ip("10.88.7.7"), Allocation.onBridge(gateway, Optional.of(ip("10.88.7.7")), Set.of()));
    }

    @Test
    void requestedAndExhaustedAddressesFailClearly() {
        Cidr gateway = Allocation.gateway(Cidr.parse("test", "10.90.0.0/30"));
        assertTrue(assertThrows(Failure.class, () -> Allocation.onBridge(gateway, Optional.of(ip("10.90.0.2")),
                Set.of(ip("10.90.0.2")))).getMessage().contains("already in use"));
        assertTrue(assertThrows(Failure.class, () -> Allocation.onBridge(gateway, Optional.of(ip("10.90.0.1")),
                Set.of())).getMessage().contains("bridge's address"));
        assertTrue(assertThrows(Failure.class, () -> Allocation.onBridge(gateway, Optional.empty(),
                Set.of(ip("10.90.0.2")))).getMessage().contains("every address is in use"));
    }

    @Test
    void vethPairsTakeTheFirstFreeSlash30() {
        Cidr pool = Cidr.parse("test", "10.89.0.0/16");
        assertEquals("10.89.0.0/30", Allocation.pairNetwork(pool, Set.of()).toString());
        assertEquals("10.89.0.8/30", Allocation.pairNetwork(pool, Set.of(ip("10.89.0.0"), ip("10.89.0.4"))).toString());
    }

    @Test
    void routesAreReadLittleEndianAndOverlapsRefused() {
        String table = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
                + "eth0\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
                + "eth1\t0000580A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
        List<Allocation.Route> routes = Allocation.routes(table);
        assertEquals(new Allocation.Route("eth1", Cidr.parse("test", "10.88.0.0/24")), routes.get(1));
        Allocation.requireUnrouted(Cidr.parse("test", "10.89.0.0/16"), routes, "subnet"); // the default route is no overlap
        assertEquals("subnet 10.88.0.0/16: overlaps the route to 10.88.0.0/24 on eth1 (choose another with --subnet)",
                assertThrows(Failure.class, () -> Allocation.requireUnrouted(Cidr.parse("test", "10.88.0.0/16"),
                        routes, "subnet")).getMessage());
    }
}
