package dev.isolate.host;

import dev.isolate.exit.Failure;
import dev.isolate.spec.Mount;
import dev.isolate.sys.ByteStrings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * --init's program: tini, the init docker's --init runs, from the caller's PATH. Debian's
 * package tini installs it twice, linked statically (tini-static) and against the C library
 * (tini); the static one is looked for first because it runs in any root filesystem, even
 * one without a C library, such as a busybox image.
 *
 * @param path     where it is on the host, as a byte string (see sys.ByteStrings)
 * @param isStatic it needs no program interpreter (no ELF PT_INTERP segment)
 */
public record InitProgram(String path, boolean isStatic) {
    /**
     * Where a root filesystem's init is bound, read-only. isolate's /dev is its own tmpfs, so
     * a mount point there needs nothing of the image, which stays unchanged even when it is
     * --read-only (docker's /sbin/docker-init needs its mount point made in the image).
     */
    public static final String CONTAINER_PATH = "/dev/init";
    /** The names looked for on PATH, in order. */
    static final List<String> NAMES = List.of("tini-static", "tini");
    /** The package that installs them, for the message when neither is there. */
    static final String PACKAGE = "tini";

    private static final int ELF_HEADER_SIZE = 64;
    private static final int PT_INTERP = 3;

    /**
     * Looks the init up on PATH, before anything on the host is prepared.
     *
     * @param inRootFilesystem it will run in a root filesystem (-R), which may have no C
     *                         library for a dynamically linked one
     * @throws Failure when there is none, or only one that cannot run there
     */
    public static InitProgram find(Map<String, String> environment, boolean inRootFilesystem) {
        for (String name : NAMES) {
            Optional<String> found = Programs.onPath(name, environment);
            if (found.isPresent()) {
                InitProgram init = new InitProgram(ByteStrings.of(Path.of(found.get())),
                        isStaticElf(Path.of(found.get())));
                if (inRootFilesystem && !init.isStatic()) {
                    throw Failure.input("--init: " + init.path() + " is dynamically linked and the root"
                            + " filesystem may have no C library for it: put tini-static on PATH (Debian"
                            + " package " + PACKAGE + ")");
                }
                return init;
            }
        }
        throw Failure.input("--init: neither " + String.join(" nor ", NAMES) + " is on PATH: install the"
                + " Debian package " + PACKAGE);
    }

    /** The read-only bind that puts the init at {@link #CONTAINER_PATH} in a root filesystem. */
    public Mount.Bind binding() {
        return new Mount.Bind(path, CONTAINER_PATH, true);
    }

    /** The path the child executes: the bound copy in a root filesystem, else the host's. */
    public String executedPath(boolean inRootFilesystem) {
        return inRootFilesystem ? CONTAINER_PATH : path;
    }

    /**
     * Whether the file is a 64-bit little-endian ELF program without a PT_INTERP segment (the
     * dynamic loader that a dynamically linked program names). A file isolate cannot read or
     * parse counts as not static: it is refused where only a static one can run.
     */
    static boolean isStaticElf(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer header = read(channel, 0, ELF_HEADER_SIZE);
            if (header == null || header.getInt(0) != 0x464c457f || header.get(4) != 2 || header.get(5) != 1) {
                return false; // not "\177ELF", ELFCLASS64, ELFDATA2LSB
            }
            long programHeaders = header.getLong(32);
            int entrySize = Short.toUnsignedInt(header.getShort(54));
            int count = Short.toUnsignedInt(header.getShort(56));
            if (entrySize < 4 || count == 0) {
                return false;
            }
            ByteBuffer table = read(channel, programHeaders, entrySize * count);
            if (table == null) {
                return false;
            }
            for (int i = 0; i < count; i++) {
                if (table.getInt(i * entrySize) == PT_INTERP) {
                    return false;
                }
            }
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code size} bytes at {@code position}, or null when the file ends before. */
    private static ByteBuffer read(FileChannel channel, long position, int size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                return null;
            }
        }
        return buffer.flip();
    }
}
