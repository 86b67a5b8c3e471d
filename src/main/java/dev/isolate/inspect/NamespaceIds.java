package dev.isolate.inspect;

import dev.isolate.spec.Namespace;
import dev.isolate.spec.SpecException;
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

    /**
     * @param pid a process id, or "self"
     * @throws SpecException when the process is gone or its links may not be read
     */
    public static Map<Namespace, Long> of(String pid) {
        Map<Namespace, Long> ids = new EnumMap<>(Namespace.class);
        for (Namespace type : Namespace.values()) {
            try {
                ids.put(type, inode(Files.readSymbolicLink(Path.of("/proc", pid, "ns", type.procName())).toString()));
            } catch (NoSuchFileException e) {
                if (!Files.exists(Path.of("/proc", pid))) {
                    throw new SpecException("process " + pid + ": no such process");
                }
                // a kernel without this namespace type
            } catch (AccessDeniedException e) {
                throw new SpecException("process " + pid + ": permission denied");
            } catch (IOException e) {
                throw new SpecException("process " + pid + ": " + e.getMessage());
            }
        }
        return ids;
    }

    /** "net:[4026531840]" -> 4026531840. */
    static long inode(String link) {
        int open = link.indexOf('[');
        return Long.parseLong(link.substring(open + 1, link.length() - 1));
    }
}
