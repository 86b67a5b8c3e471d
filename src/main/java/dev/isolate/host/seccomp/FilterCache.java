package dev.isolate.host.seccomp;

import dev.isolate.step.SocketFilter;
import dev.isolate.sys.ByteStrings;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * Compiled filters, one file each, kept with everything the program depends on: the profile's
 * bytes (for isolate's default profile, its name: it comes with the build), the capability set, libseccomp's version, the architecture, the kernel
 * (includes.minKernel) and the build of isolate; a file is used only for exactly these. The command runs under whatever program is
 * read here, so a file is used only when its owner can have written it and nobody else: the
 * directory and the file belong to the caller, neither is a symbolic link, and neither can be
 * written by group or others. A file is written beside its final name and renamed in, so a
 * reader never sees half of one. The cache only saves time: whatever goes wrong with it, the
 * filter is compiled and the launch goes on.
 */
public final class FilterCache {
    private final Path directory;
    private final long uid;
    private final Consumer<Supplier<String>> diagnostics;
    private final boolean keeps;

    public FilterCache(Path directory, long uid, Consumer<Supplier<String>> diagnostics) {
        this(directory, uid, diagnostics, true);
    }

    private FilterCache(Path directory, long uid, Consumer<Supplier<String>> diagnostics, boolean keeps) {
        this.directory = directory;
        this.uid = uid;
        this.diagnostics = diagnostics;
        this.keeps = keeps;
    }

    /** The same cache, read but never written: for a dry run, which makes nothing. */
    public FilterCache readOnly() {
        return new FilterCache(directory, uid, diagnostics, false);
    }

    /**
     * /var/cache/isolate/seccomp for root; $XDG_CACHE_HOME/isolate/seccomp (by default
     * ~/.cache/isolate/seccomp) otherwise; none when the caller has no home to keep it in.
     */
    public static Optional<Path> defaultDirectory(long uid, Map<String, String> environment) {
        if (uid == 0) {
            return Optional.of(Path.of("/var/cache/isolate/seccomp"));
        }
        Optional<Path> cache = javaPath(environment.get("XDG_CACHE_HOME"));
        if (cache.isPresent()) {
            return Optional.of(cache.get().resolve("isolate/seccomp"));
        }
        Optional<Path> home = javaPath(environment.get("HOME"));
        return home.isPresent() && Files.isDirectory(home.get())
                ? Optional.of(home.get().resolve(".cache/isolate/seccomp")) : Optional.empty();
    }

    /** An absolute path this JVM can name, from an environment variable's bytes (none: empty). */
    private static Optional<Path> javaPath(String value) {
        Optional<Path> path = value == null ? Optional.empty() : ByteStrings.javaPath(value);
        return path.isPresent() && path.get().isAbsolute() ? path : Optional.empty();
    }

    /**
     * Everything the program depends on, as bytes: what a cached file must have been compiled
     * from, compared in full when it is read.
     */
    static byte[] inputs(byte[] profile, long capabilities, String libseccompVersion, String arch, String kernel) {
        byte[] rest = String.join("\n", "", Long.toHexString(capabilities), libseccompVersion, arch, kernel, build())
                .getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(profile.length + rest.length).put(profile).put(rest).array();
    }

    /**
     * A file's name: a checksum of the inputs (CRC-32C, which costs nothing to start, unlike
     * MessageDigest's providers), and their length; joined, not formatted, as it is on every
     * launch's path. A collision only costs a compile, since the
     * file holds the inputs it was compiled from.
     */
    private static String name(byte[] inputs) {
        CRC32C crc = new CRC32C();
        crc.update(inputs);
        return String.join("", Long.toHexString(crc.getValue()), "-", Integer.toString(inputs.length), ".bpf");
    }

    /**
     * isolate's build: its version, and the time of the class path's first entry (the jar as
     * scripts/isolate starts it), so a rebuilt isolate compiles afresh. One stat, through
     * java.io.File, which the JVM has loaded anyway.
     */
    private static String build() {
        String version = String.valueOf(FilterCache.class.getPackage().getImplementationVersion());
        String first = System.getProperty("java.class.path", "").split(File.pathSeparator, 2)[0];
        return String.join(" ", version, Long.toString(new File(first).lastModified()));
    }

    Path file(byte[] inputs) {
        return directory.resolve(name(inputs));
    }

    /**
     * The filter compiled from these inputs, if one is kept that the caller can trust. A file
     * holds the inputs' length (8 bytes), the inputs, then the instructions.
     */
    public Optional<SocketFilter> lookup(byte[] inputs) {
        Path file = file(inputs);
        if (!trusted(directory, true) || !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        if (!trusted(file, false)) {
            diagnostics.accept(() -> "seccomp cache " + file + ": not trusted (owner, mode or a link), compiling");
            return Optional.empty();
        }
        try (SeekableByteChannel channel = Files.newByteChannel(file, StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS)) {
            long size = channel.size() - 8 - inputs.length;
            if (size <= 0 || size % SocketFilter.INSTRUCTION_SIZE != 0
                    || size > (long) SocketFilter.MAX_INSTRUCTIONS * SocketFilter.INSTRUCTION_SIZE) {
                return Optional.empty();
            }
            ByteBuffer content = ByteBuffer.allocate((int) channel.size());
            while (content.hasRemaining() && channel.read(content) > 0) {
                // until full or at the end
            }
            if (content.hasRemaining() || content.getLong(0) != inputs.length
                    || !Arrays.equals(content.array(), 8, 8 + inputs.length, inputs, 0, inputs.length)) {
                return Optional.empty();
            }
            return Optional.of(new SocketFilter(Arrays.copyOfRange(content.array(), 8 + inputs.length,
                    content.capacity())));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Keeps the filter compiled from these inputs; a cache that cannot be written is passed over. */
    public void store(byte[] inputs, SocketFilter filter) {
        if (!keeps) {
            return;
        }
        Path temporary = null;
        try {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            if (!trusted(directory, true)) {
                diagnostics.accept(() -> "seccomp cache " + directory + ": not trusted (owner, mode or a link),"
                        + " not kept");
                return;
            }
            temporary = Files.createTempFile(directory, ".new-", ".bpf", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            byte[] program = filter.instructions();
            Files.write(temporary, ByteBuffer.allocate(8 + inputs.length + program.length).putLong(inputs.length)
                    .put(inputs).put(program).array());
            Files.move(temporary, file(inputs), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temporary = null;
        } catch (IOException e) {
            diagnostics.accept(() -> "seccomp cache " + directory + ": cannot keep the filter: " + e.getMessage());
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException e) {
                    // a stray .new- file is never read
                }
            }
        }
    }

    /** Owned by the caller, of the right type, no symbolic link, not writable by group or others. */
    private boolean trusted(Path path, boolean directory) {
        try {
            if (Files.isSymbolicLink(path)
                    || (directory ? !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)
                    : !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS))) {
                return false;
            }
            int owner = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return owner == uid && (mode & 022) == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
