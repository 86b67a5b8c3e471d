package dev.isolate.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.spec.SpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        if (Files.exists(temp.resolve("tree"))) {
            return temp.resolve("tree");
        }
        Path dir = Files.createDirectories(temp.resolve("tree/sub"));
        Files.writeString(dir.resolve("file"), "content\n");
        Files.createSymbolicLink(temp.resolve("tree/link"), Path.of("sub/file"));
        Files.writeString(Files.createDirectories(temp.resolve("tree/dev")).resolve("console"), "");
        return temp.resolve("tree");
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
            Path unpacked = cache.unpacked(archive);
            assertEquals("content\n", Files.readString(unpacked.resolve("sub/file")));
            assertEquals(Path.of("sub/file"), Files.readSymbolicLink(unpacked.resolve("link")));
            assertTrue(Files.isDirectory(unpacked.resolve("dev")), "the dev directory stays");
            assertFalse(Files.exists(unpacked.resolve("dev/console")), "its content goes");
            Files.writeString(unpacked.resolve("marker"), "");
            assertEquals(unpacked, cache.unpacked(archive));
            assertTrue(Files.exists(unpacked.resolve("marker")), "the second call reuses the tree");
            assertEquals(64, unpacked.getParent().getFileName().toString().length(), "a SHA-256 in hex");
        }
        Path copy = Files.copy(temp.resolve("a.tar"), temp.resolve("same-bytes.tgz"));
        assertEquals(cache.unpacked(temp.resolve("a.tar")), cache.unpacked(copy));
    }

    @Test
    void corruptOrMissingArchivesAreOneLineErrors() throws Exception {
        Path cacheRoot = temp.resolve("cache");
        ImageCache cache = new ImageCache(cacheRoot);
        Path random = temp.resolve("random.tar");
        Files.write(random, new java.util.Random(1).ints(4096, 0, 256).collect(java.io.ByteArrayOutputStream::new,
                (out, b) -> out.write(b), (a, b) -> { }).toByteArray());
        Path gz = archive("t.tar.gz", "-cz");
        byte[] bytes = Files.readAllBytes(gz);
        Path truncated = Files.write(temp.resolve("truncated.tar.gz"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        for (Path bad : List.of(random, truncated)) {
            SpecException e = assertThrows(SpecException.class, () -> cache.unpacked(bad));
            assertTrue(e.getMessage().startsWith("rootfs archive " + bad + ": not a readable tar archive ("),
                    e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
        assertEquals(List.of(), leftovers(cacheRoot), "failed unpacks leave nothing behind");
        assertEquals("rootfs archive /no/such.tar: no such file",
                assertThrows(SpecException.class, () -> cache.unpacked(Path.of("/no/such.tar"))).getMessage());
    }

    @Test
    void parallelRunsAllGetTheSameCompleteTree() throws Exception {
        Path archive = archive("p.tar", "-c");
        Path cacheRoot = temp.resolve("cache");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> new ImageCache(cacheRoot).unpacked(archive)));
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
        assertTrue(ImageCache.isArchive(Path.of("x.tar.gz")) && ImageCache.isArchive(Path.of("x.tgz")));
        assertFalse(ImageCache.isArchive(Path.of("x.zip")));
    }
}
