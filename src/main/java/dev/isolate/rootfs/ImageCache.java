package dev.isolate.rootfs;

import dev.isolate.spec.SpecException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Root filesystem archives unpacked once, under the SHA-256 of their bytes, and reused:
 * {@code <root>/images/<sha256>/rootfs}. A tree is unpacked beside its final place and
 * renamed into it, so parallel runs only ever see complete trees.
 */
public final class ImageCache {
    private final Path root;

    public ImageCache(Path root) {
        this.root = root;
    }

    /** /var/lib/isolate for root; $XDG_DATA_HOME/isolate (by default ~/.local/share/isolate) otherwise. */
    public static Path defaultRoot(long uid, Map<String, String> environment) {
        if (uid == 0) {
            return Path.of("/var/lib/isolate");
        }
        String data = environment.get("XDG_DATA_HOME");
        if (data != null && Path.of(data).isAbsolute()) {
            return Path.of(data, "isolate");
        }
        return Path.of(environment.getOrDefault("HOME", "/"), ".local", "share", "isolate");
    }

    public static boolean isArchive(Path path) {
        String name = path.getFileName().toString();
        return name.endsWith(".tar") || name.endsWith(".tar.gz") || name.endsWith(".tgz");
    }

    /** The unpacked tree of {@code archive}, unpacking it first if no run has yet. */
    public Path unpacked(Path archive) {
        String what = "rootfs archive " + archive;
        Path images = directory(root.resolve("images"));
        Path target = images.resolve(sha256(archive, what));
        if (Files.isDirectory(target)) {
            return target.resolve("rootfs");
        }
        Path work = null;
        try {
            work = Files.createTempDirectory(images, ".unpack-");
            Files.createDirectory(work.resolve("rootfs"));
            untar(archive, work.resolve("rootfs"), what);
            try {
                Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isDirectory(target)) {
                    throw e;
                }
                delete(work); // a parallel run renamed its copy first
            }
            work = null;
            return target.resolve("rootfs");
        } catch (IOException e) {
            throw new SpecException(what + ": cannot unpack into " + images + ": " + e.getMessage());
        } finally {
            if (work != null) {
                delete(work);
            }
        }
    }

    /**
     * GNU tar keeps extraction inside the directory on its own: it strips a leading "/" and
     * skips members whose names hold "..". The image's /dev is never used (the container
     * gets a fresh one), and unprivileged callers cannot create device nodes: skip it.
     */
    private static void untar(Path archive, Path into, String what) throws IOException {
        Process tar = new ProcessBuilder(List.of("tar", "-x", "--numeric-owner", "--delay-directory-restore",
                "--exclude=./dev/*", "--exclude=dev/*", "-f", archive.toString(), "-C", into.toString()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        String errors = new String(tar.getErrorStream().readAllBytes());
        try {
            if (tar.waitFor() != 0) {
                String first = errors.lines().filter(line -> !line.isBlank()).findFirst().orElse("tar failed");
                throw new SpecException(what + ": not a readable tar archive (" + first.strip() + ")");
            }
        } catch (InterruptedException e) {
            tar.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SpecException(what + ": interrupted while unpacking");
        }
    }

    private static String sha256(Path file, String what) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new SpecException(what + ": no such file");
        } catch (IOException e) {
            throw new SpecException(what + ": " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private static Path directory(Path dir) {
        try {
            return Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new SpecException("cache directory " + dir + ": " + e.getMessage());
        }
    }

    private static void delete(Path tree) {
        try (Stream<Path> paths = Files.walk(tree)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A partial tree under a dot-name is never used; the next unpack starts afresh.
        }
    }
}
