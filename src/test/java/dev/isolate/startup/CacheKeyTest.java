package dev.isolate.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheKeyTest {
    @TempDir
    Path dir;

    private List<Path> jars() throws IOException {
        Path a = Files.writeString(dir.resolve("isolate.jar"), "classes");
        Path b = Files.writeString(Files.createDirectories(dir.resolve("lib")).resolve("dep.jar"), "more classes");
        return List.of(a, b);
    }

    @Test
    void theKeyOfUnchangedJarsIsCurrentAndNamesThem() throws IOException {
        List<Path> jars = jars();
        String key = CacheKey.of(jars);
        assertTrue(CacheKey.current(key));
        assertEquals(key, CacheKey.of(jars));
        assertEquals(Optional.of(jars), CacheKey.jars(key));
        assertTrue(key.startsWith(System.getProperty("java.vm.version") + "\t" + System.getProperty("java.home") + "\t"));
    }

    @Test
    void aTouchedJarIsNotTheOneTheCacheWasMadeFrom() throws IOException {
        List<Path> jars = jars();
        String key = CacheKey.of(jars);
        Files.setLastModifiedTime(jars.get(1), FileTime.fromMillis(Files.getLastModifiedTime(jars.get(1)).toMillis() + 1000));
        assertFalse(CacheKey.current(key));
    }

    @Test
    void aJarReplacedByOneOfTheSameSizeAndTimeIsNotEither() throws IOException {
        List<Path> jars = jars();
        Path replacement = Files.writeString(dir.resolve("other.jar"), "CLASSES");
        Files.setLastModifiedTime(replacement, Files.getLastModifiedTime(jars.get(0)));
        String key = CacheKey.of(jars);
        Files.move(replacement, jars.get(0), StandardCopyOption.REPLACE_EXISTING);
        assertEquals(Files.size(jars.get(0)), "classes".length());
        assertFalse(CacheKey.current(key), "another inode and change time");
    }

    @Test
    void aMissingJarOrAnotherJvmIsNotCurrent() throws IOException {
        List<Path> jars = jars();
        String key = CacheKey.of(jars);
        assertFalse(CacheKey.current("17.0.0+0" + key.substring(key.indexOf('\t'))));
        Files.delete(jars.get(1));
        assertFalse(CacheKey.current(key));
        assertTrue(CacheKey.of(jars).endsWith("\tmissing"));
    }

    @Test
    void aLineThatIsNoKeyNamesNoJars() {
        assertEquals(Optional.empty(), CacheKey.jars(""));
        assertEquals(Optional.empty(), CacheKey.jars("17\t/jdk"));
        assertEquals(Optional.empty(), CacheKey.jars("17\t/jdk\t/a.jar"));
        assertFalse(CacheKey.current("17\t/jdk\t/a.jar"));
    }

    @Test
    void aJarPathWithATabCannotBeKept() throws IOException {
        Path jar = Files.writeString(dir.resolve("a\tb.jar"), "classes");
        assertFalse(CacheKey.current(CacheKey.of(List.of(jar))));
    }
}
