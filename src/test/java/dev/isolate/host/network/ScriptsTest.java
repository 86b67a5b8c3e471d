package dev.isolate.host.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isolate.spec.Ipv4;
import dev.isolate.spec.PublishedPort;
import dev.isolate.state.ProcessIdentity;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScriptsTest {
    @Test
    void publishedPortsAreDnatRulesSignedByTheirOwner() {
        String script = Scripts.publish(new ProcessIdentity(7, 99), Ipv4.parse("t", "10.88.0.2"),
                List.of(PublishedPort.parse("8080:80"), PublishedPort.parse("53:53/udp")));
        assertEquals(List.of(
                "add rule ip isolate prerouting fib daddr type local tcp dport 8080 dnat to 10.88.0.2:80"
                        + " comment \"isolate 7 99\"",
                "add rule ip isolate output fib daddr type local tcp dport 8080 dnat to 10.88.0.2:80"
                        + " comment \"isolate 7 99\"",
                "add rule ip isolate prerouting fib daddr type local udp dport 53 dnat to 10.88.0.2:53"
                        + " comment \"isolate 7 99\"",
                "add rule ip isolate output fib daddr type local udp dport 53 dnat to 10.88.0.2:53"
                        + " comment \"isolate 7 99\""),
                script.lines().filter(line -> line.startsWith("add rule")).toList());
    }

    @Test
    void rulesAreFoundAgainByComment() {
        String listing = """
                table ip isolate { # handle 3
                	chain prerouting { # handle 1
                		type nat hook prerouting priority dstnat; policy accept;
                		fib daddr type local tcp dport 8080 dnat to 10.88.0.2:80 comment "isolate 7 99" # handle 5
                		fib daddr type local tcp dport 8081 dnat to 10.88.0.3:80 comment "isolate 8 100" # handle 6
                	}
                	chain postrouting { # handle 2
                		ip saddr 10.88.0.0/16 ip daddr != 10.88.0.0/16 masquerade comment "isolate bridge isolate0" # handle 4
                	}
                }
                """;
        assertEquals("delete rule ip isolate prerouting handle 5\n",
                Scripts.deleteRules(listing, "isolate 7 99"::equals));
        assertEquals("delete rule ip isolate postrouting handle 4\n",
                Scripts.deleteRules(listing, Scripts.bridgeComment("isolate0")::equals));
        assertEquals(List.of(new ProcessIdentity(7, 99), new ProcessIdentity(8, 100)), Scripts.ruleOwners(listing));
    }
}
