package dev.isolate.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingTest {
    @TempDir
    Path dir;

    private Path index(String name, Path lib, Path archive) throws IOException {
        return Files.writeString(dir.resolve(name + ".index"),
                "java\n" + lib + "\n/jdk\n-Xrs -Xlog:disable\n-XX:AOTCache=" + archive + "\n17\t/jdk\t" + lib + "/isolate.jar\t1:2:3:4:5\n");
    }

    @Test
    void theCachesOfJarDirectoriesThatAreGoneAreRemovedAndNoOthers() throws IOException {
        Path kept = Files.createDirectories(dir.resolve("installed"));
        Path keptArchive = Files.writeString(dir.resolve("kept.jsa"), "cache");
        Path keptIndex = index("kept", kept, keptArchive);
        Path goneArchive = Files.writeString(dir.resolve("gone.jsa"), "cache");
        Path goneIndex = index("gone", dir.resolve("removed-checkout/target"), goneArchive);
        Path elsewhere = Files.writeString(Files.createDirectories(dir.resolve("other")).resolve("x.jsa"), "not ours");
        Path strayIndex = index("stray", dir.resolve("removed-too"), elsewhere);
        Path training = index(".new-1", dir.resolve("removed-as-well"), goneArchive);

        Training.prune(dir);

        assertTrue(Files.exists(keptIndex) && Files.exists(keptArchive));
        assertFalse(Files.exists(goneIndex) || Files.exists(goneArchive));
        assertFalse(Files.exists(strayIndex));
        assertTrue(Files.exists(elsewhere), "only a cache in the cache's own directory is removed");
        assertTrue(Files.exists(training), "a training run's index is its own");
    }

    @Test
    void anIndexIsReadByLines() throws IOException {
        Path index = index("a", dir, dir.resolve("a.jsa"));
        assertEquals(Optional.of("17\t/jdk\t" + dir + "/isolate.jar\t1:2:3:4:5"), JvmCache.key(index));
        assertEquals(Optional.of(dir.toString()), JvmCache.line(index, 1));
        assertEquals(Optional.of("-XX:AOTCache=" + dir.resolve("a.jsa")), JvmCache.line(index, 4));
        assertEquals(Optional.empty(), JvmCache.line(index, 6));
        assertEquals(Optional.empty(), JvmCache.key(dir.resolve("missing.index")));
    }

    @Test
    void theLaunchersCacheOptionsAreKnownAndNoOthers() {
        assertTrue(JvmCache.startedWith("-XX:AOTCache=/x"));
        assertTrue(JvmCache.startedWith("-XX:SharedArchiveFile=/x"));
        assertTrue(JvmCache.startedWith("-Disolate.jvm-cache=/x"));
        assertTrue(JvmCache.startedWith("-XX:+IgnoreUnrecognizedVMOptions"));
        assertFalse(JvmCache.startedWith("-Disolate.jvm-cache.training=/x"));
        assertFalse(JvmCache.startedWith("-Xrs"));
        assertFalse(JvmCache.startedWith("-XX:+IgnoreUnrecognizedVMOptionsX"));
    }
}
