package dev.isolate.host;

import dev.isolate.exit.Failure;
import dev.isolate.linux.Linux;
import dev.isolate.sys.Kernel;
import java.nio.file.Path;

/**
 * A host file named by a byte string (sys.ByteStrings), opened by the kernel with O_PATH, so
 * that Java's file API reaches it through {@code /proc/self/fd/N}. The JVM names files in the
 * locale's charset and cannot name most bytes at all under LANG=C; this names every path
 * there is, and the file is the one the caller named even if the name changes meanwhile.
 */
public final class OpenedPath implements AutoCloseable {
    private final String name;
    private final int fd;

    private OpenedPath(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    /**
     * Opens {@code path}, following symbolic links, as Java's file API would.
     *
     * @param what how a message names it, e.g. "rootfs /srv/image"
     * @throws Failure (input) when there is nothing there or it cannot be reached
     */
    public static OpenedPath open(String path, String what) {
        long fd = Kernel.get().open(path, Linux.O_PATH | Linux.O_CLOEXEC);
        if (fd < 0) {
            throw Failure.input(what + ": " + reason((int) -fd));
        }
        return new OpenedPath(path, (int) fd);
    }

    /** Whether there is anything at {@code path}, a dangling symbolic link included (lstat's view). */
    public static boolean exists(String path) {
        long fd = Kernel.get().open(path, Linux.O_PATH | Linux.O_NOFOLLOW | Linux.O_CLOEXEC);
        if (fd >= 0) {
            Kernel.get().close((int) fd);
        }
        return fd >= 0 || fd != -Linux.ENOENT;
    }

    /**
     * Makes {@code path} a directory as mkdir -p does, each missing one with {@code mode}.
     *
     * @throws Failure (input) when one cannot be made
     */
    public static void createDirectories(String path, int mode, String what) {
        for (int slash = path.indexOf('/', 1); ; slash = path.indexOf('/', slash + 1)) {
            String prefix = slash < 0 ? path : path.substring(0, slash);
            long result = Kernel.get().mkdirAt(Linux.AT_FDCWD, prefix, mode);
            if (result < 0 && result != -Linux.EEXIST) {
                throw Failure.input(what + ": " + reason((int) -result));
            }
            if (slash < 0) {
                return;
            }
        }
    }

    /** The path as the caller gave it, for messages. */
    public String name() {
        return name;
    }

    /** The file for Java's file API: a path any JVM can name, which leads to it while this is open. */
    public Path view() {
        return Path.of("/proc/self/fd/" + fd);
    }

    /** Its absolute path, without symbolic links, as a byte string. */
    public String realPath() {
        Kernel.Result<String> target = Kernel.get().readLink("/proc/self/fd/" + fd);
        if (!target.ok()) {
            throw Failure.step(name + ": " + reason(target.errno()));
        }
        return target.value();
    }

    @Override
    public void close() {
        Kernel.get().close(fd);
    }

    /** The reason as Failure.reason words it for Java's exceptions, so messages read alike. */
    private static String reason(int errno) {
        return switch (errno) {
            case Linux.ENOENT -> "no such file or directory";
            case Linux.EACCES -> "permission denied";
            default -> Kernel.get().errorText(errno);
        };
    }
}
