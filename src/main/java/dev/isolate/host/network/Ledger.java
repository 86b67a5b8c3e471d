package dev.isolate.host.network;

import dev.isolate.exit.Failure;
import dev.isolate.host.NamespaceIds;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.PublishedPort;
import dev.isolate.state.ProcessIdentity;
import dev.isolate.state.RuntimeDirectory;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What isolate made on the host for each container, in one network namespace (a bridge's
 * name and the addresses on it mean nothing outside it): one line per container, read and
 * changed under a lock, so that parallel launches never take the same address. A line
 * outlives its owner: marked ended when its container ended (the kernel removes the veth
 * pair with the container's network namespace, in the background), unmarked when the owner
 * was killed. The next launch or isolate gc finds it by the owner's identity, removes the
 * host end if it is still there, and only then the line: its address is not given again
 * while the old pair may still answer for it.
 */
final class Ledger {
    /**
     * @param owner         the isolate that made it
     * @param network       the bridge's name, or {@link #VETH} for a pair of its own
     * @param hostInterface the host end of its veth pair
     * @param address       the container's address on a bridge, the /30's own address for a
     *                      veth pair from the pool, or "-"
     * @param ports         the host ports published to it, whose rules are there
     * @param ended         its container ended and its owner took its rules away
     */
    record Entry(ProcessIdentity owner, String network, String hostInterface, String address,
            List<PublishedPort> ports, boolean ended) {
        private static final String ENDED = "ended";

        Entry {
            ports = List.copyOf(ports);
        }

        /** A container's line as its launch adds it. */
        Entry(ProcessIdentity owner, String network, String hostInterface, String address, List<PublishedPort> ports) {
            this(owner, network, hostInterface, address, ports, false);
        }

        /** Its container ended, or its owner did (one isolate may make several: a JVM cache's training). */
        boolean over() {
            return ended || !owner.alive();
        }

        String line() {
            return owner.pid() + " " + owner.startTime() + " " + network + " " + hostInterface + " " + address + " "
                    + (ports.isEmpty() ? "-" : String.join(",", ports.stream().map(PublishedPort::toString).toList()))
                    + (ended ? " " + ENDED : "");
        }

        static Entry parse(String line) {
            String[] f = line.split(" ");
            List<PublishedPort> ports = f[5].equals("-") ? List.of()
                    : Arrays.stream(f[5].split(",")).map(PublishedPort::parse).toList();
            return new Entry(new ProcessIdentity(Long.parseLong(f[0]), Long.parseLong(f[1])), f[2], f[3], f[4], ports,
                    f.length > 6 && f[6].equals(ENDED));
        }
    }

    static final String VETH = "-veth";
    private static final String FILE = "attachments";

    private final Path file;
    private final List<Entry> entries;

    private Ledger(Path file, List<Entry> entries) {
        this.file = file;
        this.entries = entries;
    }

    /**
     * The directory of this network namespace's state, named after its inode, in root's
     * runtime directory: one for every container there (see {@link dev.isolate.host.Caller#isRoot}).
     */
    private static Path directory() {
        return RuntimeDirectory.subdirectory(0, Map.of(), name());
    }

    private static String name() {
        return "network/net-" + NamespaceIds.own().get(Namespace.NET);
    }

    /** The ledger's file, made nowhere. */
    static Path file() {
        return RuntimeDirectory.existing(0, Map.of(), name()).resolve(FILE);
    }

    /**
     * The entries as they are now, read without the lock and without making anything (a dry
     * run): a ledger is replaced by a rename, so a reader never sees half of one.
     */
    static List<Entry> read() {
        Path file = file();
        try {
            return Files.exists(file) ? Files.readAllLines(file).stream().filter(line -> !line.isBlank())
                    .map(Entry::parse).toList() : List.of();
        } catch (IOException e) {
            throw Failure.step("network state in " + file.getParent() + ": " + Failure.reason(e));
        }
    }

    /**
     * Removes this network namespace's state, for a namespace that ends with everything in it
     * and has no container left: nothing else would ever remove its directory.
     */
    static void forget() {
        Path directory = RuntimeDirectory.existing(0, Map.of(), name());
        try {
            if (read().stream().anyMatch(entry -> !entry.over())) {
                throw Failure.step("network state in " + directory + ": a container still uses it");
            }
            Files.deleteIfExists(directory.resolve(FILE));
            Files.deleteIfExists(directory.resolve("lock"));
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            throw Failure.step("network state in " + directory + ": " + Failure.reason(e));
        }
    }

    /** Runs {@code work} with the ledger locked against every other isolate; saves what it changed. */
    static <T> T locked(Function<Ledger, T> work) {
        Path directory = directory();
        try (FileChannel lock = FileChannel.open(directory.resolve("lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); var held = lock.lock()) {
            Path file = directory.resolve(FILE);
            List<Entry> entries = new ArrayList<>();
            if (Files.exists(file)) {
                Files.readAllLines(file).stream().filter(line -> !line.isBlank()).map(Entry::parse)
                        .forEach(entries::add);
            }
            Ledger ledger = new Ledger(file, entries);
            T result = work.apply(ledger);
            ledger.save();
            return result;
        } catch (IOException e) {
            throw Failure.step("network state in " + directory + ": " + Failure.reason(e));
        }
    }

    List<Entry> entries() {
        return List.copyOf(entries);
    }

    void add(Entry entry) {
        entries.add(entry);
    }

    /** Marks the owner's line ended, without its ports: their rules are gone. */
    void end(ProcessIdentity owner) {
        entries.replaceAll(entry -> entry.owner().equals(owner) ? new Entry(entry.owner(), entry.network(),
                entry.hostInterface(), entry.address(), List.of(), true) : entry);
    }

    /** Takes out the entries that are over (their container or their owner ended), for the caller to undo. */
    List<Entry> removeStale() {
        List<Entry> stale = entries.stream().filter(Entry::over).toList();
        entries.removeAll(stale);
        return stale;
    }

    private void save() throws IOException {
        Path aside = file.resolveSibling("attachments.new");
        Files.write(aside, entries.stream().map(Entry::line).toList());
        Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
