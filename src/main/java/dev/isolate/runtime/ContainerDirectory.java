package dev.isolate.runtime;

import static dev.isolate.linux.Linux.*;

import dev.isolate.exit.Failure;
import dev.isolate.sys.ByteStrings;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.Syscall;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * One container's directory under the state directory, held with its lock: every change to a
 * container (create, start, kill, delete) happens under it, one at a time. Reading its state
 * takes no lock ({@link #read}): state.json is only ever replaced whole, and a hook that asks
 * for the state while create holds the lock must get an answer.
 *
 * <p>A container's directory appears whole: create makes it under a temporary name, takes its
 * lock, then renames it to the id (refused if the id is taken), so no one ever finds a new
 * container's directory without its lock held.
 */
public final class ContainerDirectory implements AutoCloseable {
    private static final String STATE = "state.json";
    private static final String LOCK = "lock";
    private static final String GATE = "exec.fifo";

    private final Kernel kernel = Kernel.get();
    private final RuntimeRoot root;
    private final String id;
    private final Path directory;
    private final int lock;

    private ContainerDirectory(RuntimeRoot root, String id, Path directory, int lock) {
        this.root = root;
        this.id = id;
        this.directory = directory;
        this.lock = lock;
    }

    /** A new container's directory, locked; a one-line error when the id is taken. */
    public static ContainerDirectory claim(RuntimeRoot root, String id) {
        Path directory = root.containerDirectory(id);
        // '~' is in no id: the temporary name cannot be a container's.
        Path temporary = root.directory().resolve("~create-" + Kernel.get().call(Syscall.GETPID));
        try {
            Files.createDirectory(temporary,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.createFile(temporary.resolve(LOCK),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            removeQuietly(temporary);
            throw Failure.step("state directory " + root.directory() + ": " + Failure.reason(e));
        }
        int fd = lock(temporary.resolve(LOCK));
        long renamed = Kernel.get().renameNoReplace(ByteStrings.of(temporary), ByteStrings.of(directory));
        if (renamed < 0) {
            Kernel.get().close(fd);
            removeQuietly(temporary);
            if (renamed == -EEXIST) {
                throw Failure.input("container with id exists: " + id);
            }
            throw Failure.step("state directory " + directory + ": " + Kernel.get().errorText((int) -renamed));
        }
        return new ContainerDirectory(root, id, directory, fd);
    }

    /** An existing container's directory, locked; a one-line error when there is none. */
    public static ContainerDirectory open(RuntimeRoot root, String id) {
        Path directory = root.containerDirectory(id);
        requireTrusted(root, id, directory);
        int fd = lock(directory.resolve(LOCK));
        // delete may have removed it (or a create made it anew) while this waited for the lock.
        if (!sameFile(fd, directory.resolve(LOCK))) {
            Kernel.get().close(fd);
            throw doesNotExist(id);
        }
        return new ContainerDirectory(root, id, directory, fd);
    }

    /** The state of a container as last written, read without its lock; none while create has written none. */
    public static Optional<ContainerState> read(RuntimeRoot root, String id) {
        Path directory = root.containerDirectory(id);
        requireTrusted(root, id, directory);
        Path state = directory.resolve(STATE);
        if (!Files.exists(state, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Trust.requireOwnFile(state, root.uid(), "state file");
        try {
            return Optional.of(ContainerState.parse(Files.readString(state), state.toString()));
        } catch (NoSuchFileException e) {
            return Optional.empty(); // deleted meanwhile
        } catch (IOException e) {
            throw Failure.step("state file " + state + ": " + Failure.reason(e));
        }
    }

    /** Whether the start gate of this container is still there (read without its lock). */
    public static boolean gatePresent(RuntimeRoot root, String id) {
        return Files.exists(root.containerDirectory(id).resolve(GATE), LinkOption.NOFOLLOW_LINKS);
    }

    /** Whether a container of this id is kept (in any state, or mid-create). */
    public static boolean exists(RuntimeRoot root, String id) {
        return Files.exists(root.containerDirectory(id), LinkOption.NOFOLLOW_LINKS);
    }

    public static Failure doesNotExist(String id) {
        return Failure.input("container does not exist: " + id);
    }

    public String id() {
        return id;
    }

    /** This container's state as last written; none while create has written none. */
    public Optional<ContainerState> state() {
        return read(root, id);
    }

    /** The state, or a one-line error for a container whose create never wrote one. */
    public ContainerState requireState() {
        return state().orElseThrow(() -> Failure.input("container " + id + ": still being created"));
    }

    /** Replaces state.json whole. */
    public void write(ContainerState state) {
        AtomicFile.write(directory.resolve(STATE), state.stored());
    }

    /** Where the start gate is: a FIFO that the container's process opens for writing and start opens for reading. */
    public Path gate() {
        return directory.resolve(GATE);
    }

    public boolean gatePresent() {
        return gatePresent(root, id);
    }

    /** Removes the directory and everything in it; the lock is held until {@link #close}. */
    public void remove() {
        removeQuietly(directory);
        if (Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            throw Failure.step("state directory " + directory + ": could not be removed");
        }
    }

    @Override
    public void close() {
        kernel.close(lock);
    }

    private static void requireTrusted(RuntimeRoot root, String id, Path directory) {
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            throw doesNotExist(id);
        }
        Trust.requireOwnDirectory(directory, root.uid(), "container directory", true);
    }

    /**
     * A write lock on a file of the container's directory, opened close-on-exec; waits for it.
     * A POSIX record lock, not flock(2): create's container process is a clone of this JVM that
     * holds copies of its descriptors until it executes its command, and a flock belongs to the
     * open file, so the waiting container would hold its own container's lock; a record lock
     * belongs to the process that took it and ends with it.
     */
    private static int lock(Path file) {
        Kernel kernel = Kernel.get();
        long fd = kernel.open(ByteStrings.of(file), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
            throw Failure.step("lock " + file + ": " + kernel.errorText((int) -fd));
        }
        long flock = kernel.memory().allocateMemory(FLOCK_SIZE, true); // the whole file: start 0, length 0
        try {
            kernel.memory().putShort(flock, F_WRLCK);
            long locked = kernel.callRetrying(Syscall.FCNTL, fd, F_SETLKW, flock);
            if (locked < 0) {
                kernel.close((int) fd);
                throw Failure.step("lock " + file + ": " + kernel.errorText((int) -locked));
            }
        } finally {
            kernel.memory().freeMemory(flock);
        }
        return (int) fd;
    }

    /** Whether the descriptor and the path are one file: the path was not removed or made anew meanwhile. */
    private static boolean sameFile(int fd, Path path) {
        try {
            Object held = Files.getAttribute(Path.of("/proc/self/fd/" + fd), "unix:ino");
            Object named = Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            return held.equals(named);
        } catch (IOException e) {
            return false;
        }
    }

    private static void removeQuietly(Path directory) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // gone already, or what is left is reported by the caller's check
        }
        try {
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            // likewise
        }
    }
}
