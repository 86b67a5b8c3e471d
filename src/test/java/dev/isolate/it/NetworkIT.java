package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.it.Isolate.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * --network, as root. Every test runs isolate inside a "host" namespace it made with ip netns
 * add, and sends traffic only to addresses inside the namespaces it made.
 */
class NetworkIT {
    /**
     * Tries a client until it gets an answer: a server in another process may not listen yet,
     * and slirp4netns accepts on the host's side before the container listens, then closes.
     */
    static final String RETRY = "(for i in $(seq 100); do out=$(busybox nc -w 1 %s %d </dev/null 2>/dev/null)"
            + " && [ -n \"$out\" ] && echo \"$out\" && exit 0; sleep 0.1; done; exit 1)";

    /** isolate's host ends of veth pairs: iso and 8 hex digits. */
    private static final Pattern HOST_END = Pattern.compile(": iso[0-9a-f]{8}[@:]");

    private TestNetworks networks;
    private String host;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void namespaces() {
        Privileged.requireRoot();
        networks = new TestNetworks();
        host = networks.add("h");
    }

    @AfterEach
    void cleanUp() {
        for (Process process : started) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        Isolate.exec(TestNetworks.command(host, Isolate.AS_ROOT.command("gc").toArray(String[]::new)), null);
        networks.close();
    }

    private Result isolate(String... args) {
        return Isolate.exec(TestNetworks.command(host, Isolate.AS_ROOT.command(args).toArray(String[]::new)), null);
    }

    private CompletableFuture<Result> isolateAsync(String... args) {
        return CompletableFuture.supplyAsync(() -> isolate(args));
    }

    private Process start(String netns, List<String> command) throws IOException {
        Process process = new ProcessBuilder(TestNetworks.command(netns, command.toArray(String[]::new)))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        started.add(process);
        return process;
    }

    private Process startIsolate(String... args) throws IOException {
        return start(host, Isolate.AS_ROOT.command(args));
    }

    private String client(String netns, String address, int port) {
        return networks.in(netns, "sh", "-c", String.format(RETRY, address, port));
    }

    /** The ledger's lines, those of containers that ended (which keep an address until a later launch or gc) too. */
    private List<String> wholeLedger() throws IOException {
        Path file = TestNetworks.stateOf(host).resolve("attachments");
        return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList() : List.of();
    }

    /** The ledger's lines of containers that have not ended. */
    private List<String> ledger() throws IOException {
        return wholeLedger().stream().filter(l -> !l.endsWith(" ended")).toList();
    }

    /** Nothing of a container is left: no host end, no DNAT rule, no lease but an ended container's. */
    private void assertNothingLeft() throws Exception {
        String links = "";
        for (int i = 0; i < 50; i++) { // the kernel removes a dead namespace's veth pair in the background
            links = networks.in(host, "ip", "-o", "link");
            if (!HOST_END.matcher(links).find()) {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        assertFalse(HOST_END.matcher(links).find(), links);
        Result rules = Isolate.exec(TestNetworks.command(host, "nft", "list", "ruleset"), null);
        assertFalse(rules.out().contains("dnat"), rules.out());
        assertEquals(List.of(), ledger());
    }

    private void awaitLedger(int lines) throws Exception {
        for (int i = 0; i < 200 && ledger().size() < lines; i++) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        assertEquals(lines, ledger().size(), ledger().toString());
    }

    @Test
    void vethPairCarriesPingAndTcpBothWays() throws Exception {
        Process container = startIsolate("--network", "veth:10.201.0.1/30,10.201.0.2", "-p", "sh", "-c",
                "ping -c1 -W5 10.201.0.1 >/dev/null && echo pinged; echo from-container | busybox nc -l -p 7000;"
                        + " " + String.format(RETRY, "10.201.0.1", 7001));
        assertEquals("from-container\n", client(host, "10.201.0.2", 7000));
        networks.in(host, "ping", "-c1", "-W5", "10.201.0.2");
        Process server = start(host, List.of("sh", "-c", "echo from-host | busybox nc -l -p 7001"));
        assertTrue(container.waitFor(30, TimeUnit.SECONDS));
        String out = new String(container.getInputStream().readAllBytes());
        assertEquals(0, container.exitValue(), out);
        assertEquals("pinged\nfrom-host\n", out);
        server.waitFor(5, TimeUnit.SECONDS);
        assertNothingLeft();
    }

    /**
     * A container's ledger line outlives it, marked ended and without its ports (their rules
     * are gone), while the kernel removes its veth pair with its network namespace: its address
     * is given again only once a later launch has seen the pair gone and removed the line; gc
     * removes such lines without a word.
     */
    @Test
    void anEndedContainersLineKeepsItsAddressUntilTheNextLaunchRemovesIt() throws Exception {
        String show = "ip -o -4 addr show eth0";
        Result first = isolate("--network", "bridge", "-P", "8093:80", "-p", "sh", "-c", show);
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().contains("inet 10.88.0.2/16"), first.out());
        List<String> ended = wholeLedger();
        assertEquals(1, ended.size(), ended.toString());
        assertTrue(ended.get(0).matches("[0-9]+ [0-9]+ isolate0 iso[0-9a-f]{8} 10\\.88\\.0\\.2 - ended"), ended.get(0));
        Result rules = Isolate.exec(TestNetworks.command(host, "nft", "list", "ruleset"), null);
        assertFalse(rules.out().contains("dnat"), rules.out());
        Result second = isolate("--network", "bridge", "-p", "sh", "-c", show);
        assertEquals(0, second.exit(), second.err());
        assertTrue(second.out().contains("inet 10.88.0.2/16"), "the address again, once the pair is gone: " + second.out());
        List<String> now = wholeLedger();
        assertEquals(1, now.size(), now.toString());
        assertNotEquals(ended, now, "the first line removed, the second's there");
        Result gc = isolate("gc");
        assertEquals(new Result(0, "", ""), gc);
        assertEquals(List.of(), wholeLedger());
        assertNothingLeft();
    }

    @Test
    void vethWithoutAddressesTakesAFreePairNetwork() throws Exception {
        Result r = isolate("--network", "veth", "--mtu", "1400", "-p", "sh", "-c",
                "ip -o -4 addr show eth0; ip route show default; ip -o link show eth0");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("inet 10.89.0.2/30"), r.out());
        assertTrue(r.out().contains("default via 10.89.0.1 dev eth0"), r.out());
        assertTrue(r.out().contains(" mtu 1400 "), r.out());
        assertNothingLeft();
    }

    @Test
    void containersOnOneBridgeReachEachOther() throws Exception {
        // a serves one connection after another until it is killed: on a busy host a client may
        // give up on a connection (nc -w 1) that the server counted as served.
        Process a = startIsolate("--network", "--ip", "10.88.0.50", "-p", "sh", "-c",
                "while :; do echo from-a | busybox nc -l -p 7001; done");
        Result b = isolate("--network", "-p", "sh", "-c", String.format(RETRY, "10.88.0.50", 7001)
                + "; ip -o -4 addr show eth0");
        assertEquals(0, b.exit(), b.err());
        assertTrue(b.out().startsWith("from-a\n"), b.out());
        assertTrue(b.out().contains("inet 10.88.0.2/16"), b.out());
        Isolate.kill(a.children().findFirst().orElseThrow().pid(), "KILL"); // the container's init
        assertTrue(a.waitFor(30, TimeUnit.SECONDS));
        assertEquals(128 + 9, a.exitValue());
        assertNothingLeft();
        assertTrue(networks.in(host, "ip", "-o", "link").contains("isolate0"), "the bridge stays for reuse");
    }

    @Test
    void masqueradeAndPublishedPortsCrossTheHost() throws Exception {
        String upstream = networks.add("u");
        networks.link(host, "192.168.201.1/24", upstream, "192.168.201.2/24");
        // upstream has no route to the bridge's subnet: only masqueraded traffic can be answered
        start(upstream, List.of("sh", "-c", "echo from-upstream | busybox nc -l -p 7002"));
        Process container = startIsolate("--network", "-P", "8080:80", "-P", "8053:53/udp", "-p", "sh", "-c",
                String.format(RETRY, "192.168.201.2", 7002) + " && echo pong | busybox nc -l -p 80"
                        + " && echo pong-again | busybox nc -l -p 80");
        assertEquals("pong\n", client(host, "127.0.0.1", 8080));
        assertEquals("pong-again\n", client(upstream, "192.168.201.1", 8080));
        assertTrue(container.waitFor(30, TimeUnit.SECONDS));
        assertEquals("from-upstream\n", new String(container.getInputStream().readAllBytes()));
        assertEquals(0, container.exitValue());
        assertNothingLeft();
    }

    @Test
    void joinsNamedAndProcessNamespaces() throws Exception {
        String named = networks.add("j");
        long inode = (Long) Files.getAttribute(Path.of("/run/netns", named), "unix:ino");
        Result r = isolate("--network", "ns:" + named, "-p", "readlink", "/proc/self/ns/net");
        assertEquals(0, r.exit(), r.err());
        assertEquals("net:[" + inode + "]\n", r.out());
        Process sleeper = start(named, List.of("sleep", "60"));
        for (int i = 0; i < 100 && !Files.readSymbolicLink(Path.of("/proc", Long.toString(sleeper.pid()), "ns/net"))
                .toString().equals("net:[" + inode + "]"); i++) {
            TimeUnit.MILLISECONDS.sleep(20); // ip netns exec enters the namespace, then execs sleep
        }
        Result byPid = isolate("--network", "pid:" + sleeper.pid(), "readlink", "/proc/self/ns/net");
        assertEquals(0, byPid.exit(), byPid.err());
        assertEquals("net:[" + inode + "]\n", byPid.out());
    }

    @Test
    void cleansUpAfterExitAndAfterTheCommandIsKilled() throws Exception {
        Result normal = isolate("--network", "-P", "8090:80", "-p", "true");
        assertEquals(0, normal.exit(), normal.err());
        assertNothingLeft();

        Process container = startIsolate("--network", "-P", "8091:80", "-p", "sleep", "300");
        awaitLedger(1);
        ProcessHandle sleep = awaitDescendant(container, "sleep");
        Isolate.kill(sleep.pid(), "KILL");
        assertTrue(container.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, container.exitValue());
        assertNothingLeft();
    }

    @Test
    void gcCleansWhatAKilledIsolateLeft() throws Exception {
        Process container = startIsolate("--network", "-P", "8092:80", "-p", "sleep", "300");
        awaitLedger(1);
        awaitDescendant(container, "sleep");
        Isolate.kill(container.pid(), "KILL"); // ip netns exec became isolate's JVM
        assertTrue(container.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, ledger().size(), "the lease outlives a killed isolate");
        Result gc = isolate("gc");
        assertEquals(0, gc.exit(), gc.err());
        assertTrue(gc.out().startsWith("removed "), gc.out());
        assertTrue(gc.out().contains("ports [8092:80/tcp]"), gc.out());
        assertNothingLeft();
    }

    @Test
    void fiftyParallelContainersGetFiftyAddresses() throws Exception {
        List<CompletableFuture<Result>> runs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            // Each holds its address until all have one: the run overlaps.
            runs.add(isolateAsync("--network", "-p", "sh", "-c", "ip -o -4 addr show eth0; sleep 8"));
        }
        Set<String> addresses = new HashSet<>();
        Pattern inet = Pattern.compile("inet (\\S+)/16");
        for (CompletableFuture<Result> run : runs) {
            Result r = run.get(120, TimeUnit.SECONDS);
            assertEquals(0, r.exit(), r.err());
            Matcher m = inet.matcher(r.out());
            assertTrue(m.find(), r.out());
            addresses.add(m.group(1));
        }
        assertEquals(50, addresses.size(), addresses.toString());
        assertNothingLeft();
    }

    @Test
    void badNetworkRequestsFailWithOneLine() throws Exception {
        Process holder = startIsolate("--network", "--ip", "10.88.0.60", "-P", "8093:80", "-p", "sleep", "300");
        awaitLedger(1);
        networks.in(host, "ip", "route", "add", "10.123.0.0/16", "dev", "lo");
        networks.in(host, "ip", "link", "add", "isox1", "type", "veth", "peer", "name", "isox2");
        String[][] cases = {
            {"--ip 10.88.0.60: already in use by another container", "--network", "--ip", "10.88.0.60", "true"},
            {"host port 8093/tcp is already published", "--network", "-P", "8093:81", "true"},
            {"bridge isob1: subnet 10.123.4.0/24: overlaps the route to 10.123.0.0/16 on lo", "--network",
                "bridge=isob1", "--subnet", "10.123.4.0/24", "true"},
            {"isox1 is an interface but not a bridge", "--network", "bridge=isox1", "true"},
            {"the network namespace \"none-such\": does not exist", "--network", "ns:none-such", "true"},
            {"--subnet 10.99.0.0/16: bridge isolate0 exists with 10.88.0.0/16", "--network", "--subnet",
                "10.99.0.0/16", "true"},
        };
        for (String[] c : cases) {
            Result r = isolate(List.of(c).subList(1, c.length).toArray(String[]::new));
            assertEquals(125, r.exit(), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("isolate: ") && r.err().contains(c[0]), r.err());
        }
        assertEquals(1, ledger().size(), ledger().toString());
        // By its whole name: a veth's host end is "iso" and random hex, which may begin with b1.
        assertFalse(Pattern.compile(": isob1[:@]").matcher(networks.in(host, "ip", "-o", "link")).find());
        Isolate.kill(awaitDescendant(holder, "sleep").pid(), "KILL");
        assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        assertNothingLeft();
    }

    @Test
    void aBadIpFailsBeforeTheBridgeIsMade() throws Exception {
        String forwarding = networks.in(host, "cat", "/proc/sys/net/ipv4/ip_forward");
        String[][] cases = {
            {"--ip 10.99.0.5: not in the bridge's subnet 10.88.0.0/16", "10.99.0.5"},
            {"--ip 10.88.0.1: is the subnet's own, its broadcast or the bridge's address", "10.88.0.1"},
        };
        for (String[] c : cases) {
            Result r = isolate("--network", "bridge", "--ip", c[1], "true");
            assertEquals(125, r.exit(), r.err());
            assertEquals("isolate: " + c[0] + "\n", r.err());
        }
        assertFalse(networks.in(host, "ip", "-o", "link").contains("isolate0"), "no bridge");
        assertFalse(networks.in(host, "nft", "list", "tables").contains(" isolate"), "no nft table");
        assertEquals(forwarding, networks.in(host, "cat", "/proc/sys/net/ipv4/ip_forward"), "ip_forward unchanged");
        assertEquals(List.of(), ledger());
    }

    @Test
    void dnsMacAndMtuReachARootFilesystem() throws Exception {
        Path image = TestImages.fresh(false);
        try {
            Result r = isolate("-R", image.toString(), "--network", "--dns", "10.0.0.53", "--dns", "10.0.0.54",
                    "--mac", "02:00:00:00:00:42", "--mtu", "1400", "sh", "-c",
                    "cat /etc/resolv.conf; cat /sys/class/net/eth0/address /sys/class/net/eth0/mtu");
            assertEquals(0, r.exit(), r.err());
            assertEquals("nameserver 10.0.0.53\nnameserver 10.0.0.54\n02:00:00:00:00:42\n1400\n", r.out());
        } finally {
            TestImages.delete(image);
        }
        assertNothingLeft();
    }

    @Test
    void aMistypedModeChangesNothingOnTheHost() throws Exception {
        String forwarding = networks.in(host, "sysctl", "-n", "net.ipv4.ip_forward");
        Result typo = isolate("--network", "brige", "true");
        assertEquals(125, typo.exit(), typo.err());
        assertEquals("isolate: --network brige: not a network mode (did you mean bridge?): expected none, host, veth,"
                + " bridge, ns:NAME, pid:PID or slirp\n", typo.err());
        Result program = isolate("--network", "slirp4netns", "-p", "true");
        assertEquals(125, program.exit(), program.err());
        assertTrue(program.err().contains("(did you mean slirp?)"), program.err());
        assertFalse(networks.in(host, "ip", "-o", "link").contains("isolate0"));
        Result rules = Isolate.exec(TestNetworks.command(host, "nft", "list", "ruleset"), null);
        assertFalse(rules.out().contains("isolate"), rules.out());
        assertEquals(forwarding, networks.in(host, "sysctl", "-n", "net.ipv4.ip_forward"));
    }

    @Test
    void networkRmRemovesTheBridgeAndItsRules() throws Exception {
        assertEquals(0, isolate("--network", "bridge", "true").exit());
        Result rm = isolate("network", "rm");
        assertEquals(0, rm.exit(), rm.err());
        assertFalse(networks.in(host, "ip", "-o", "link").contains("isolate0"));
        Result rules = Isolate.exec(TestNetworks.command(host, "nft", "list", "ruleset"), null);
        assertFalse(rules.out().contains("masquerade"), rules.out());
    }

    @Test
    void bridgeNeedsRootAndSaysWhatWorksWithout() {
        Result r = Isolate.asNobody(RootlessCopy.script()).run("--network", "bridge", "true");
        assertEquals(125, r.exit(), r.err());
        assertEquals("isolate: --network bridge: needs root, to add interfaces to the host (without privilege,"
                + " --network slirp gives a network)\n", r.err());
    }

    /**
     * A user other than root who has CAP_SYS_ADMIN and CAP_NET_ADMIN could make the pair, but
     * the ledger that keeps addresses apart is shared by every container of the namespace, in
     * root's runtime directory: such a caller is told so, and nothing is made.
     */
    @Test
    void aUserOtherThanRootIsRefusedEvenWithTheCapabilities() throws Exception {
        Path runtime = Files.createTempDirectory(Path.of("/tmp"), "isolate-runtime");
        try {
            TestImages.run(List.of("chown", "65534:65534", runtime.toString()));
            List<String> command = new ArrayList<>(Isolate.AS_NOBODY);
            command.addAll(List.of("--inh-caps=+sys_admin,+net_admin", "--ambient-caps=+sys_admin,+net_admin",
                    "env", "XDG_RUNTIME_DIR=" + runtime, RootlessCopy.script().toString()));
            command.addAll(List.of("--network", "bridge", "-p", "true"));
            Result r = Isolate.exec(TestNetworks.command(host, command.toArray(String[]::new)), null);
            assertEquals(125, r.exit());
            assertEquals("isolate: --network bridge: needs root, to add interfaces to the host and keep their state"
                    + " with every other container's, in root's runtime directory (this is uid 65534)\n", r.err());
            assertFalse(Files.exists(runtime.resolve("isolate/network")), "no ledger of its own");
            assertNothingLeft();
        } finally {
            TestImages.delete(runtime);
        }
    }

    static ProcessHandle awaitDescendant(Process process, String command) throws InterruptedException {
        for (int i = 0; i < 400; i++) {
            var match = process.descendants().filter(p -> p.info().command().orElse("").endsWith("/" + command))
                    .findFirst();
            if (match.isPresent()) {
                return match.get();
            }
            TimeUnit.MILLISECONDS.sleep(25);
        }
        throw new AssertionError("no " + command + " below " + process.pid());
    }
}
