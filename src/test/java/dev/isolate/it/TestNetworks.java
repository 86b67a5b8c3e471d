package dev.isolate.it;

import dev.isolate.it.Isolate.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Network namespaces a test makes for itself, with ip netns add: the only places network
 * tests send traffic. Removed, with isolate's state for them, when the test ends.
 */
final class TestNetworks implements AutoCloseable {
    private final String prefix = "it" + ProcessHandle.current().pid() % 10000 + "n" + System.nanoTime() % 1000;
    private final List<String> names = new ArrayList<>();

    /** A new namespace with lo up; its name is unique to this test. */
    String add(String role) {
        String name = prefix + role;
        run("ip", "netns", "add", name);
        names.add(name);
        in(name, "ip", "link", "set", "lo", "up");
        return name;
    }

    /** A veth pair between two namespaces, each end with its address (a.b.c.d/24). */
    void link(String left, String leftAddress, String right, String rightAddress) {
        String l = "v" + names.indexOf(left) + "x" + names.indexOf(right);
        String r = "v" + names.indexOf(right) + "x" + names.indexOf(left);
        in(left, "ip", "link", "add", l, "type", "veth", "peer", "name", r, "netns", right);
        in(left, "ip", "addr", "add", leftAddress, "dev", l);
        in(left, "ip", "link", "set", l, "up");
        in(right, "ip", "addr", "add", rightAddress, "dev", r);
        in(right, "ip", "link", "set", r, "up");
    }

    /** Runs a command inside a namespace; it must succeed. */
    String in(String netns, String... command) {
        return run(command(netns, command).toArray(String[]::new));
    }

    static List<String> command(String netns, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        full.addAll(List.of(command));
        return full;
    }

    static String run(String... command) {
        Result r = Isolate.exec(List.of(command), null);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", command) + ": exit " + r.exit() + ": " + r.err());
        }
        return r.out();
    }

    /** isolate's state directory for a namespace (named by its inode). */
    static Path stateOf(String netns) {
        try {
            long inode = (Long) Files.getAttribute(Path.of("/run/netns", netns), "unix:ino");
            return Path.of("/run/isolate/network/net-" + inode);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (String name : names) {
            TestImages.delete(stateOf(name));
            Isolate.exec(List.of("ip", "netns", "del", name), null);
        }
    }
}
