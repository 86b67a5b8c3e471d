package dev.isolate.host.rootfs;

import dev.isolate.exit.Failure;
import dev.isolate.host.OpenedPath;
import dev.isolate.sys.ByteStrings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Root filesystem archives unpacked once into {@code <root>/images/<SHA-256 of their bytes>/rootfs}
 * and reused. Each is unpacked beside that and renamed in, so runs only ever see complete trees.
 */
public final class ImageCache {
    private final Path root;

    public ImageCache(Path root) {
        this.root = root;
    }

    /**
     * /var/lib/isolate for root; $XDG_DATA_HOME/isolate (by default ~/.local/share/isolate)
     * otherwise. The environment holds byte strings (sys.ByteStrings) and the cache is reached
     * through Java's file API: an XDG_DATA_HOME this JVM cannot name is passed over like a
     * relative one, and a HOME it cannot name is an error.
     */
    public static Path defaultRoot(long uid, Map<String, String> environment) {
        if (uid == 0) {
            return Path.of("/var/lib/isolate");
        }
        Optional<Path> data = Optional.ofNullable(environment.get("XDG_DATA_HOME")).flatMap(ByteStrings::javaPath)
                .filter(Path::isAbsolute);
        if (data.isPresent()) {
            return data.get().resolve("isolate");
        }
        String home = environment.getOrDefault("HOME", "/");
        return ByteStrings.javaPath(home).orElseThrow(() -> Failure.input("image cache in HOME " + home
                + ": this JVM cannot name it in the locale's charset (" + ByteStrings.jvmCharset()
                + "); set XDG_DATA_HOME to a directory it can")).resolve(".local/share/isolate");
    }

    /** Whether a file's name (a byte string) says it is an archive. */
    public static boolean isArchive(String name) {
        return Stream.of(".tar", ".tar.gz", ".tgz").anyMatch(name::endsWith);
    }

    /**
     * Where an archive's tree is kept, found by hashing the archive (which only reads it).
     *
     * @param archive  the archive's path as the user gave it (a byte string)
     * @param target   {@code <root>/images/<SHA-256>}, holding {@code rootfs}
     * @param unpacked whether a run has unpacked it already
     */
    public record Entry(String archive, Path target, boolean unpacked) {
        public Path rootfs() {
            return target.resolve("rootfs");
        }

        /**
         * How {@link #unpacked(Entry)} makes it, for a dry run, as shell lines. The directory it
         * unpacks into gets its random name only when it is made: the lines call it $TMP.
         */
        public List<String> unpacking() {
            Path images = target.getParent();
            return List.of("mkdir -p -m 700 " + ByteStrings.of(images),
                    "TMP=a new directory " + ByteStrings.of(images) + "/.unpack-* (random name, mode 700),"
                            + " with an empty rootfs/ in it",
                    String.join(" ", tar(Path.of("$TMP/rootfs"))) + " < " + archive,
                    "rename $TMP to " + ByteStrings.of(target));
        }
    }

    public Entry locate(String archive) {
        String what = "rootfs archive " + archive;
        try (OpenedPath file = OpenedPath.open(archive, what)) {
            Path target = root.resolve("images").resolve(sha256(file.view(), what));
            return new Entry(archive, target, Files.isDirectory(target));
        }
    }

    /** The unpacked tree of the entry's archive, unpacking it first if no run has yet. */
    public Path unpacked(Entry entry) {
        String what = "rootfs archive " + entry.archive();
        Path images = directory(root.resolve("images"));
        Path target = entry.target();
        if (Files.isDirectory(target)) {
            return target.resolve("rootfs");
        }
        Path work = null;
        try (OpenedPath archive = OpenedPath.open(entry.archive(), what)) {
            work = Files.createTempDirectory(images, ".unpack-");
            untar(archive.view(), Files.createDirectory(work.resolve("rootfs")), what);
            try {
                Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isDirectory(target)) {
                    throw e;
                }
            }
            return target.resolve("rootfs");
        } catch (IOException e) {
            throw Failure.step(what + ": cannot unpack into " + ByteStrings.of(images) + ": " + Failure.reason(e));
        } finally {
            if (work != null) {
                delete(work); // gone already unless this run failed or a parallel one renamed first
            }
        }
    }

    /**
     * GNU tar keeps extraction inside the directory on its own: it strips a leading "/", refuses
     * members whose names hold "..", and never writes through a symlink it made. The image's /dev
     * is never used (the container gets a fresh one) and unprivileged callers cannot create device
     * nodes: its content is skipped, by anchored patterns (unanchored ones would drop home/me/dev/
     * too). tar's first line names the cause, its last ones only sum up. The archive is tar's
     * stdin, so that no name of it passes through the locale's charset, and named /dev/stdin,
     * so that tar still opens it as a file and recognizes compression by its content.
     */
    private static void untar(Path archive, Path into, String what) throws IOException {
        Process tar = new ProcessBuilder(tar(into))
                .redirectInput(ProcessBuilder.Redirect.from(archive.toFile()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String errors = new String(tar.getErrorStream().readAllBytes());
        try {
            if (tar.waitFor() != 0) {
                String first = errors.lines().filter(line -> !line.isBlank()).findFirst().orElse("tar failed");
                throw Failure.input(what + ": not a readable tar archive (" + first.strip() + ")");
            }
        } catch (InterruptedException e) {
            tar.destroyForcibly();
            Thread.currentThread().interrupt();
            throw Failure.step(what + ": interrupted while unpacking");
        }
    }

    private static List<String> tar(Path into) {
        return List.of("tar", "-x", "--numeric-owner", "--delay-directory-restore", "--anchored",
                "--exclude=./dev/*", "--exclude=dev/*", "-f", "/dev/stdin", "-C", into.toString());
    }

    private static String sha256(Path file, String what) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[8 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw Failure.input(what + ": " + Failure.reason(e));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private static Path directory(Path dir) {
        try {
            return Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            throw Failure.step("cache directory " + ByteStrings.of(dir) + ": exists and is not a directory");
        } catch (IOException e) {
            throw Failure.step("cache directory " + ByteStrings.of(dir) + ": " + Failure.reason(e));
        }
    }

    /** Directories are opened up first: an unprivileged owner cannot empty a read-only one. */
    private static void delete(Path path) {
        try {
            if (!Files.isSymbolicLink(path) && Files.isDirectory(path)) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
                try (Stream<Path> entries = Files.list(path)) {
                    entries.forEach(ImageCache::delete);
                }
            }
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // A partial tree under a dot-name is never used; the next unpack starts afresh.
        }
    }
}
