package dev.isolate.host;

import dev.isolate.exit.Failure;
import dev.isolate.spec.Namespace;
import dev.isolate.state.PinnedProcess;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * The namespaces a process is in, read from the links in /proc/PID/ns: "two tasks are in
 * the same namespace exactly when these numbers (the nsfs inodes) are equal".
 */
public final class NamespaceIds {
    private NamespaceIds() {
    }

    /** isolate's own namespaces. */
    public static Map<Namespace, Long> own() {
        return read(Path.of("/proc/self"), "isolate");
    }

    /**
     * @throws Failure when the process has ended or its links may not be read
     */
    public static Map<Namespace, Long> of(PinnedProcess process) {
        return read(process.path(), "process " + process.identity().pid());
    }

    private static Map<Namespace, Long> read(Path procDirectory, String what) {
        Map<Namespace, Long> ids = new EnumMap<>(Namespace.class);
        for (Namespace type : Namespace.values()) {
            try {
                ids.put(type, inode(Files.readSymbolicLink(procDirectory.resolve("ns").resolve(type.procName()))
                        .toString()));
            } catch (NoSuchFileException e) {
                if (!Files.isDirectory(procDirectory.resolve("ns"))) {
                    throw Failure.input(what + ": no such process");
                }
                // a kernel without this namespace type
            } catch (AccessDeniedException e) {
                throw Failure.input(what + ": permission denied");
            } catch (IOException e) {
                throw Failure.step(what + ": " + Failure.reason(e));
            }
        }
        return ids;
    }

    /** "net:[4026531840]" -> 4026531840. */
    public static long inode(String link) {
        int open = link.indexOf('[');
        return Long.parseLong(link.substring(open + 1, link.length() - 1));
    }
}
