package dev.isolate.inspect;

import dev.isolate.host.NamespaceIds;
import dev.isolate.spec.Namespace;
import dev.isolate.sys.ByteStrings;
import dev.isolate.sys.SmallFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Every namespace that has a process in it, as util-linux lsns finds them: by walking /proc. */
public final class SystemNamespaces {
    /**
     * One namespace.
     *
     * @param pid     its lowest process id
     * @param user    the owner of that process
     * @param command that process's command line, or its name in brackets-free form when it
     *                has none (a kernel thread), as lsns shows it
     */
    public record Entry(long ns, Namespace type, int nprocs, long pid, String user, String command) {
    }

    private SystemNamespaces() {
    }

    /** The namespaces of the given types that this caller can see, ordered by inode. */
    public static List<Entry> scan(Set<Namespace> types) {
        Map<Long, Entry> byInode = new HashMap<>();
        for (long pid : pids()) {
            for (Namespace type : types) {
                Optional<Long> inode = link(pid, type);
                if (inode.isEmpty()) {
                    continue; // gone, or not ours to read: lsns skips it too
                }
                Entry known = byInode.get(inode.get());
                if (known == null) {
                    byInode.put(inode.get(), new Entry(inode.get(), type, 1, pid, owner(pid), command(pid)));
                } else {
                    // pids() is ascending, so the first process seen stays the lowest
                    byInode.put(inode.get(), new Entry(known.ns(), type, known.nprocs() + 1, known.pid(),
                            known.user(), known.command()));
                }
            }
        }
        List<Entry> entries = new ArrayList<>(byInode.values());
        entries.sort(Comparator.comparingLong(Entry::ns));
        return entries;
    }

    private static List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path entry : proc) {
                String name = entry.getFileName().toString();
                if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
                    pids.add(Long.parseLong(name));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        pids.sort(null);
        return pids;
    }

    private static Optional<Long> link(long pid, Namespace type) {
        try {
            return Optional.of(NamespaceIds.inode(Files.readSymbolicLink(
                    Path.of("/proc", Long.toString(pid), "ns", type.procName())).toString()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String owner(long pid) {
        try {
            return ByteStrings.encodedByTheJvm(Files.getOwner(Path.of("/proc", Long.toString(pid))).getName());
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The arguments joined by spaces; a kernel thread has none and is named by its comm. Both
     * are byte strings (sys.ByteStrings), printed as the bytes they are, as lsns prints them.
     */
    private static String command(long pid) {
        Path dir = Path.of("/proc", Long.toString(pid));
        try {
            byte[] cmdline = SmallFiles.bytes(dir.resolve("cmdline"));
            int end = cmdline.length;
            while (end > 0 && cmdline[end - 1] == 0) {
                end--;
            }
            if (end > 0) {
                return ByteStrings.of(cmdline, 0, end).replace('\0', ' ');
            }
            return ByteStrings.of(SmallFiles.bytes(dir.resolve("comm"))).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
