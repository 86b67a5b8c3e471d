package dev.isolate.host.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCacheTest {
    @TempDir
    Path temp;

    private Path tree() throws IOException {
        Path tree = temp.resolve("tree");
        if (Files.exists(tree)) {
            return tree;
        }
        Files.writeString(Files.createDirectories(tree.resolve("sub/dev")).resolve("kept"), "");
        Files.writeString(tree.resolve("sub/file"), "content\n");
        Files.createSymbolicLink(tree.resolve("link"), Path.of("sub/file"));
        Files.writeString(Files.createDirectories(tree.resolve("dev")).resolve("console"), "");
        // an unprivileged owner can empty a read-only directory only after opening it up
        Files.writeString(Files.createDirectories(tree.resolve("locked")).resolve("file"), "");
        Files.setPosixFilePermissions(tree.resolve("locked"), PosixFilePermissions.fromString("r-xr-xr-x"));
        return tree;
    }

    private Path archive(String name, String... flags) throws Exception {
        Path archive = temp.resolve(name);
        List<String> command = new ArrayList<>(List.of("tar", "-C", tree().toString()));
        command.addAll(List.of(flags));
        command.addAll(List.of("-f", archive.toString(), "."));
        assertEquals(0, new ProcessBuilder(command).inheritIO().start().waitFor());
        return archive;
    }

    private List<Path> leftovers(Path cache) throws IOException {
        try (Stream<Path> list = Files.list(cache.resolve("images"))) {
            return list.filter(p -> p.getFileName().toString().startsWith(".unpack-")).toList();
        }
    }

    @Test
    void archivesUnpackOnceUnderTheirDigest() throws Exception {
        ImageCache cache = new ImageCache(temp.resolve("cache"));
        for (Path archive : List.of(archive("a.tar", "-c"), archive("a.tar.gz", "-cz"))) {
            Path unpacked = unpack(cache, archive);
            assertEquals("content\n", Files.readString(unpacked.resolve("sub/file")));
            assertEquals(Path.of("sub/file"), Files.readSymbolicLink(unpacked.resolve("link")));
            assertTrue(Files.isDirectory(unpacked.resolve("dev")), "the dev directory stays");
            assertFalse(Files.exists(unpacked.resolve("dev/console")), "its content goes");
            assertTrue(Files.exists(unpacked.resolve("sub/dev/kept")), "only the top dev/ is skipped");
            assertTrue(Files.exists(unpacked.resolve("locked/file")));
            Files.writeString(unpacked.resolve("marker"), "");
            assertEquals(unpacked, unpack(cache, archive));
            assertTrue(Files.exists(unpacked.resolve("marker")), "the second call reuses the tree");
            assertEquals(64, unpacked.getParent().getFileName().toString().length(), "a SHA-256 in hex");
        }
        Path copy = Files.copy(temp.resolve("a.tar"), temp.resolve("same-bytes.tgz"));
        assertEquals(unpack(cache, temp.resolve("a.tar")), unpack(cache, copy));
    }

    @Test
    void locatingAnArchiveMakesNothing() throws Exception {
        Path archive = archive("a.tar", "-c");
        ImageCache cache = new ImageCache(temp.resolve("cache"));
        ImageCache.Entry entry = cache.locate(archive.toString());
        assertFalse(entry.unpacked());
        assertFalse(Files.exists(temp.resolve("cache")), "a dry run's look makes no directory");
        assertEquals(4, entry.unpacking().size());
        assertTrue(entry.unpacking().get(3).endsWith(" to " + entry.target()), entry.unpacking().toString());
        Path unpacked = cache.unpacked(entry);
        assertEquals(entry.rootfs(), unpacked);
        assertTrue(cache.locate(archive.toString()).unpacked());
    }

    @Test
    void corruptOrMissingArchivesAreOneLineErrors() throws Exception {
        Path cacheRoot = temp.resolve("cache");
        ImageCache cache = new ImageCache(cacheRoot);
        Path random = Files.write(temp.resolve("random.tar"), noise(4096));
        Path gz = archive("t.tar.gz", "-cz");
        byte[] bytes = Files.readAllBytes(gz);
        Path truncated = Files.write(temp.resolve("truncated.tar.gz"), Arrays.copyOf(bytes, bytes.length / 2));
        for (Path bad : List.of(random, truncated, membersThenGarbage())) {
            Failure e = assertThrows(Failure.class, () -> unpack(cache, bad));
            assertTrue(e.getMessage().startsWith("rootfs archive " + bad + ": not a readable tar archive ("),
                    e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
        assertEquals(List.of(), leftovers(cacheRoot), "failed unpacks leave nothing behind");
        assertEquals("rootfs archive /no/such.tar: no such file or directory",
                assertThrows(Failure.class, () -> unpack(cache, Path.of("/no/such.tar"))).getMessage());
    }

    /** tar unpacks the tree, read-only directory and all, before it fails. */
    private Path membersThenGarbage() throws Exception {
        byte[] tar = Files.readAllBytes(archive("g.tar", "-c"));
        int end = tar.length;
        while (tar[end - 1] == 0) {
            end--;
        }
        byte[] garbage = noise(2048);
        byte[] bytes = Arrays.copyOf(tar, (end + 511) / 512 * 512 + garbage.length);
        System.arraycopy(garbage, 0, bytes, bytes.length - garbage.length, garbage.length);
        return Files.write(temp.resolve("garbage.tar"), bytes);
    }

    private static byte[] noise(int length) {
        byte[] bytes = new byte[length];
        new Random(1).nextBytes(bytes);
        return bytes;
    }

    @Test
    void parallelRunsAllGetTheSameCompleteTree() throws Exception {
        Path archive = archive("p.tar", "-c");
        Path cacheRoot = temp.resolve("cache");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> unpack(new ImageCache(cacheRoot), archive)));
            }
            Path first = results.get(0).get();
            for (Future<Path> result : results) {
                assertEquals(first, result.get());
                assertEquals("content\n", Files.readString(result.get().resolve("sub/file")));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(), leftovers(cacheRoot));
    }

    @Test
    void cachesLiveWhereRootAndUsersKeepData() {
        assertEquals(Path.of("/var/lib/isolate"), ImageCache.defaultRoot(0, Map.of("HOME", "/root")));
        assertEquals(Path.of("/data/isolate"), ImageCache.defaultRoot(1000, Map.of("XDG_DATA_HOME", "/data",
                "HOME", "/home/a")));
        assertEquals(Path.of("/home/a/.local/share/isolate"), ImageCache.defaultRoot(1000, Map.of("HOME", "/home/a")));
        assertEquals(Path.of("/home/a/.local/share/isolate"), ImageCache.defaultRoot(1000, Map.of("XDG_DATA_HOME",
                "relative", "HOME", "/home/a")), "the XDG specification ignores relative paths");
        assertEquals(Path.of("/home/a/.local/share/isolate"), ImageCache.defaultRoot(1000, Map.of("XDG_DATA_HOME",
                "/\u00ff", "HOME", "/home/a")), "and isolate ones this JVM cannot name (a lone byte 0xff)");
        assertTrue(ImageCache.isArchive("x.tar.gz") && ImageCache.isArchive("x.tgz"));
        assertFalse(ImageCache.isArchive("x.zip") || ImageCache.isArchive("/"));
    }

    private static Path unpack(ImageCache cache, Path archive) {
        return cache.unpacked(cache.locate(archive.toString()));
    }
}
