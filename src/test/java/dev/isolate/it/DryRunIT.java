package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * isolate --dry-run as root, for every group of launch options, and proof that it leaves the
 * system as it found it: each run happens in a mount namespace of the test's own where
 * /run/isolate and /var/lib/isolate are fresh tmpfs (so other tests' containers cannot
 * change them meanwhile, and whatever isolate made there would show), and mountinfo, the
 * links and the nftables ruleset of the network namespace it runs in, and those directories
 * are compared before and after.
 */
class DryRunIT {
    /**
     * Runs its arguments between two snapshots of the state a launch changes; $1 is the
     * directory for the results, $2 a space-separated list of extra directories to watch.
     */
    private static final String HARNESS = """
            set -u
            out=$1; watched=$2; shift 2
            for dir in /run/isolate /var/lib/isolate; do
              if [ -d $dir ]; then mount -t tmpfs -o mode=0755 dry-run-isolate $dir || exit 99; fi
            done
            state() {
              find /run/isolate /var/lib/isolate $watched -printf '%p %M %U:%G %s %T@ %l\\n' 2>&1 | sort
              cat /proc/self/mountinfo; ip -d link; nft list ruleset 2>&1
            }
            state > $out/before
            "$@" > $out/stdout 2> $out/stderr
            echo $? > $out/rc
            state > $out/after
            """;

    record Outcome(int exit, String out, String err) {
    }

    private TestNetworks networks;
    private final List<Process> started = new ArrayList<>();
    private final List<Path> temporary = new ArrayList<>();

    @BeforeEach
    void root() {
        Privileged.requireRoot();
        networks = new TestNetworks();
    }

    @AfterEach
    void cleanUp() {
        started.forEach(process -> {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        networks.close();
        temporary.forEach(TestImages::delete);
    }

    /**
     * Runs a command under the harness, in a network namespace if one is given, and asserts
     * that nothing it watches changed.
     */
    static Outcome untouched(Optional<String> netns, List<Path> watched, List<String> command) {
        Path results;
        try {
            results = Files.createTempDirectory("dry-run-results");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            List<String> full = new ArrayList<>();
            netns.ifPresent(name -> full.addAll(List.of("ip", "netns", "exec", name)));
            full.addAll(List.of("unshare", "-m", "--propagation", "private", "sh", "-c", HARNESS, "harness",
                    results.toString(), String.join(" ", watched.stream().map(Path::toString).toList())));
            full.addAll(command);
            Isolate.Result harness = Isolate.exec(full, null);
            assertEquals(0, harness.exit(), "harness: " + harness.err());
            String before = Files.readString(results.resolve("before"));
            String after = Files.readString(results.resolve("after"));
            assertEquals(before, after, "the dry run changed the system: " + command);
            return new Outcome(Integer.parseInt(Files.readString(results.resolve("rc")).strip()),
                    Files.readString(results.resolve("stdout")), Files.readString(results.resolve("stderr")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            TestImages.delete(results);
        }
    }

    private Outcome dryRun(String... args) {
        return dryRunIn(Optional.empty(), List.of(), args);
    }

    private Outcome dryRunIn(Optional<String> netns, List<Path> watched, String... args) {
        List<String> command = new ArrayList<>(List.of(Isolate.REPO_SCRIPT.toString()));
        command.addAll(List.of(args));
        Outcome outcome = untouched(netns, watched, command);
        assertEquals("", outcome.err(), String.join(" ", args));
        assertEquals(0, outcome.exit(), String.join(" ", args));
        return outcome;
    }

    static void assertContains(String text, String... parts) {
        for (String part : parts) {
            assertTrue(text.contains(part), "missing " + part + " in:\n" + text);
        }
    }

    /** A refused dry run: 125, one line, nothing on stdout. */
    static void assertRefused(Outcome outcome, String line) {
        assertEquals(125, outcome.exit(), outcome.err());
        assertEquals("", outcome.out());
        assertEquals("isolate: " + line + "\n", outcome.err());
    }

    @Test
    void namespaces() {
        Outcome r = dryRun("--dry-run", "-npmiC", "-u", "h", "-T", "--monotonic", "5", "--clear-env", "-e",
                "PATH=/usr/bin:/bin", "sh", "-c", "echo hi");
        assertContains(r.out(), "clone(child_stack=<the program's stack>, flags=CLONE_VM|CLONE_NEWNS"
                        + "|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET|SIGCHLD)\n",
                " read(<release pipe, read end>, buf, 1)  # wait for the parent (it exited) (must return 1)\n"
                        + "  15 unshare(CLONE_NEWCGROUP)  # unshare the cgroup namespace\n",
                " prctl(PR_SET_PDEATHSIG, SIGKILL)  # set the parent-death signal\n",
                " mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL)",
                " mount(\"proc\", \"/proc\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL)",
                " sethostname(\"h\", 1)  # sethostname \"h\"\n",
                " socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP)",
                "SIOCSIFFLAGS, {ifr_name=\"lo\", ifr_flags=IFF_UP|IFF_LOOPBACK|IFF_RUNNING})",
                " unshare(CLONE_NEWTIME)", "\"monotonic 5 0\\nboottime 0 0\\n\"",
                " execve(\"/usr/bin/sh\", [\"sh\", \"-c\", \"echo hi\"], /* 1 vars */)",
                " execve(\"/bin/sh\", [\"sh\", \"-c\", \"echo hi\"], /* 1 vars */)");
        String host = r.out().substring(r.out().indexOf("host, before the clone:\n"), r.out().indexOf("clone("));
        assertEquals("host, before the clone:\n  make the container's cgroup and write its limits\n", host.replaceAll(
                "    mkdir /sys/fs/cgroup/[a-z]+/isolate/isolate-[0-9]+-[0-9]+\n", ""),
                "namespaces alone change nothing on the host but root's cgroup for the container");
        // Numbered as -v numbers them: the same steps, the same numbers.
        Isolate.Result verbose = Isolate.AS_ROOT.run("-v", "-npmiC", "-u", "h", "-T", "--monotonic", "5",
                "--clear-env", "-e", "PATH=/usr/bin:/bin", "sh", "-c", "exit 0");
        assertEquals(0, verbose.exit(), verbose.err());
        List<String> verboseSteps = verbose.err().lines().filter(line -> line.matches("\\s+\\d+ .*"))
                .map(line -> line.strip().split(" ", 2)[0] + " " + line.strip().split(" ", 2)[1]).toList();
        List<String> dryRunSteps = r.out().lines().filter(line -> line.matches("\\s+\\d+ \\S+\\(.*"))
                .map(line -> line.strip().split(" ", 2)[0] + " " + line.substring(line.lastIndexOf("  # ") + 4)
                        .replaceFirst(" \\((if not found|must return).*\\)$", "")).toList();
        assertEquals(verboseSteps, dryRunSteps);
    }

    @Test
    void json() {
        Outcome r = dryRun("--dry-run", "--json", "--cgroup-manager", "disabled", "-u", "h", "true");
        assertTrue(r.out().startsWith("{\"command\": [\"true\"], \"host\": [], \"clone\": {\"call\": \"clone("),
                r.out());
        assertEquals(1, r.out().lines().count());
        assertContains(r.out(), "{\"step\": 0, \"syscall\": \"close\", \"call\": \"close(<report pipe, read end>)\"",
                "\"syscall\": \"sethostname\", \"call\": \"sethostname(\\\"h\\\", 1)\", \"what\": \"sethostname"
                        + " \\\"h\\\"\", \"check\": \"success\"}");
        Isolate.Result parsed = Isolate.exec(List.of("python3", "-c", "import json,sys; d=json.load(sys.stdin);"
                + " print(len(d['child']), d['child'][-1]['syscall'])"), r.out());
        long steps = dryRun("--dry-run", "-u", "h", "true").out().lines()
                .filter(line -> line.matches("\\s+\\d+ \\S+\\(.*")).count();
        if (parsed.exit() == 0) {
            assertEquals(steps + " execve\n", parsed.out());
        }
    }

    @Test
    void idMaps() {
        Outcome r = dryRun("--dry-run", "--map-users", "0:100000:65536", "--map-groups", "0:100000:65536",
                "--setgroups", "deny", "-m", "true");
        assertContains(r.out(), "|CLONE_NEWUSER|SIGCHLD)", "parent, while the child waits:\n",
                "openat(AT_FDCWD, \"/proc/CHILD/setgroups\", O_WRONLY|O_CLOEXEC), write(<that fd>, \"deny\", 4)",
                "\"/proc/CHILD/uid_map\", O_WRONLY|O_CLOEXEC), write(<that fd>, \"0 100000 65536\\n\", 15)",
                "\"/proc/CHILD/gid_map\"");
    }

    @Test
    void rootfsMounts() throws IOException {
        Path image = TestImages.fresh(false);
        Path source = Files.createTempDirectory("dry-run-bind");
        temporary.add(source);
        Path kept = source.resolve("kept-layers");
        Outcome r = dryRunIn(Optional.empty(), List.of(image, source), "--dry-run", "-R", image.toString(),
                "--bind", source + ":/data", "--ro-bind", "/etc/os-release:/etc/os-release",
                "--tmpfs", "/scratch:size=1m", "--read-only", "--overlay-upper", kept.toString(), "true");
        assertContains(r.out(), "the overlay's kept layers\n    mkdir -p " + kept.resolve("upper"),
                " fsopen(\"overlay\", FSOPEN_CLOEXEC)",
                "FSCONFIG_SET_STRING, \"lowerdir\", \"" + image.toRealPath() + "\", 0)",
                "{attr_set=MOUNT_ATTR_RDONLY, attr_clr=0, propagation=MS_PRIVATE, userns_fd=0}, 32)  # set the mount"
                        + " options of the root",
                " open_tree(AT_FDCWD, \"" + source.toRealPath() + "\", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_RECURSIVE)",
                " openat2(<fd of step ", "\"data\", {flags=O_RDONLY|O_CLOEXEC|O_PATH, resolve=RESOLVE_NO_MAGICLINKS"
                        + "|RESOLVE_IN_ROOT}, 24)",
                " mknodat(<fd of step ", "FSCONFIG_SET_STRING, \"size\", \"1m\", 0)",
                " pivot_root(\".\", \".\")", " umount2(\".\", MNT_DETACH)");
        assertFalse(Files.exists(kept), "the kept layers' directory was made");
        // A throw-away overlay's scratch directory is named, not made.
        Outcome overlay = dryRunIn(Optional.empty(), List.of(image), "--dry-run", "-R", image.toString(),
                "--overlay", "true");
        assertContains(overlay.out(), "the overlay's scratch directory, removed when the container ends\n"
                + "    mkdir -m 700 /run/isolate/overlay/", " mount(\"tmpfs\", \"/run/isolate/overlay/");
    }

    @Test
    void archivesAreHashedNotUnpacked() throws IOException {
        Path image = TestImages.fresh(false);
        Path dir = Files.createTempDirectory("dry-run-archive");
        temporary.add(dir);
        Path archive = dir.resolve("image.tar");
        TestImages.run(List.of("tar", "-C", image.toString(), "-cf", archive.toString(), "."));
        Outcome r = dryRunIn(Optional.empty(), List.of(dir), "--dry-run", "-R", archive.toString(), "true");
        assertContains(r.out(), "unpack the archive " + archive + " into the image cache\n",
                "    tar -x --numeric-owner", " -f /dev/stdin -C $TMP/rootfs < " + archive + "\n",
                " open_tree(AT_FDCWD, \"/var/lib/isolate/images/");
    }

    @Test
    void everyNetworkMode() throws IOException {
        String host = networks.add("h");
        String joined = networks.add("j");
        Optional<String> in = Optional.of(host);
        Outcome none = dryRunIn(in, List.of(), "--dry-run", "--network", "none", "true");
        assertContains(none.out(), "|CLONE_NEWNET|SIGCHLD)", "SIOCSIFFLAGS");
        Outcome veth = dryRunIn(in, List.of(), "--dry-run", "--network", "veth", "true");
        assertContains(veth.out(), "host, while the child waits:\n  connect the container (veth iso",
                " type veth peer name eth0 netns /proc/CHILD/ns/net\n", "    ip addr add 10.89.0.1/30 dev iso",
                "    nsenter --net=/proc/CHILD/ns/net ip addr add 10.89.0.2/30 dev eth0\n",
                "append to " + TestNetworks.stateOf(host).resolve("attachments") + ": ");
        Outcome bridge = dryRunIn(in, List.of(), "--dry-run", "--network", "bridge=drybr0", "--subnet",
                "10.77.0.0/24", "-P", "8080:80", "true");
        assertContains(bridge.out(), "make bridge drybr0, kept for the next container\n",
                "    ip link add drybr0 type bridge\n    ip addr add 10.77.0.1/24 dev drybr0\n",
                "    echo 1 > /proc/sys/net/ipv4/ip_forward", "masquerade comment \"isolate bridge drybr0\"",
                " drybr0 iso", " 10.77.0.2 8080:80/tcp\n", "link set iso", " master drybr0 up\n",
                "route add default via 10.77.0.1\n", "tcp dport 8080 dnat to 10.77.0.2:80 comment \"isolate ");
        Outcome byName = dryRunIn(in, List.of(), "--dry-run", "--network", "ns:" + joined, "-p", "true");
        assertContains(byName.out(), "open /run/netns/" + joined + " (O_RDONLY|O_CLOEXEC) for the child's setns",
                " setns(", ", CLONE_NEWNET)  # enter ");
        Process sleeper = new ProcessBuilder(TestNetworks.command(joined, "sleep", "60")).start();
        started.add(sleeper);
        Outcome byPid = dryRunIn(in, List.of(), "--dry-run", "--network", "pid:" + sleeper.pid(), "true");
        assertContains(byPid.out(), "open /proc/" + sleeper.pid() + "/ns/net (O_RDONLY|O_CLOEXEC)",
                ", CLONE_NEWNET)  # enter ");
        // Checked as a launch checks, before anything: an address outside the subnet.
        List<String> refused = List.of(Isolate.REPO_SCRIPT.toString(), "--dry-run", "--network", "bridge=drybr0",
                "--subnet", "10.77.0.0/24", "--ip", "10.78.0.5", "true");
        assertRefused(untouched(in, List.of(), refused), "--ip 10.78.0.5: not in the subnet 10.77.0.0/24");
    }

    @Test
    void namesAreCheckedAndTheirRecordShown() {
        Outcome r = dryRun("--dry-run", "--name", "DryRunIT-name", "-p", "true");
        assertContains(r.out(), "claim the name \"DryRunIT-name\" (under the store's lock): "
                + "/run/isolate/containers/DryRunIT-name/record\n", "    name=DryRunIT-name\n", "    argv.0=true\n");
        Outcome detached = dryRun("--dry-run", "-d", "-p", "true");
        assertContains(detached.out(), "run -d: start a second isolate");
    }

    @Test
    void exec() throws IOException {
        Process target = new ProcessBuilder("unshare", "--uts", "--ipc", "sleep", "60").start();
        started.add(target);
        waitForOwnNamespace(target.pid(), "uts");
        Outcome r = dryRun("exec", "--dry-run", Long.toString(target.pid()), "hostname");
        assertContains(r.out(), "pin process " + target.pid() + " (start time ",
                ": /proc/" + target.pid() + "/ns/uts\n", ": /proc/" + target.pid() + "/ns/ipc\n",
                "clone(child_stack=<the program's stack>, flags=SIGCHLD)\n", ", 0)  # enter the uts namespace\n",
                ", 0)  # enter the ipc namespace\n", " fchdir(", " chroot(\".\")  # make it the root\n",
                "[\"hostname\"]");
        Outcome json = dryRun("exec", "--dry-run", "--json", Long.toString(target.pid()), "hostname");
        assertContains(json.out(), "\"syscall\": \"setns\"");
        List<String> missing = List.of(Isolate.REPO_SCRIPT.toString(), "exec", "--dry-run", "DryRunIT-none", "true");
        assertRefused(untouched(Optional.empty(), List.of(), missing), "no container named \"DryRunIT-none\"");
    }

    static void waitForOwnNamespace(long pid, String type) {
        for (int i = 0; i < 100; i++) {
            try {
                if (!Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", type))
                        .equals(Files.readSymbolicLink(Path.of("/proc/self/ns", type)))) {
                    return;
                }
                Thread.sleep(50);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("process " + pid + " never entered a " + type + " namespace of its own");
    }

    @Test
    void refusedDryRuns() {
        String script = Isolate.REPO_SCRIPT.toString();
        assertRefused(untouched(Optional.empty(), List.of(), List.of(script, "--dry-run", "-u", "under_score",
                "true")), "hostname \"under_score\": use letters, digits and inner hyphens, in dot-separated labels");
        assertRefused(untouched(Optional.empty(), List.of(), List.of(script, "--json", "true")),
                "--json: only with --dry-run");
        assertRefused(untouched(Optional.empty(), List.of(), List.of(script, "--dry-run", "-R", "/no/such/image",
                "true")), "rootfs /no/such/image: no such file or directory");
    }
}
