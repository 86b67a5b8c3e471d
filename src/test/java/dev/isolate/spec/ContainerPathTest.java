package dev.isolate.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContainerPathTest {
    @Test
    void pathsAreNormalized() {
        assertEquals("/a/c", ContainerPath.normalize("x", "//a/./b/../c/"));
        assertEquals("/data", ContainerPath.normalize("x", "/data"));
    }

    @Test
    void climbingAboveTheRootOrNamingItIsRefused() {
        Failure escape = assertThrows(Failure.class, () -> ContainerPath.normalize("bind destination",
                "/a/../../etc"));
        assertEquals("bind destination \"/a/../../etc\": leaves the container's root through ..", escape.getMessage());
        assertThrows(Failure.class, () -> ContainerPath.normalize("x", "/.."));
        assertThrows(Failure.class, () -> ContainerPath.normalize("x", "/"));
        assertThrows(Failure.class, () -> ContainerPath.normalize("x", "relative/path"));
    }

    @Test
    void tmpfsSizesAreCheckedBeforeTheKernelSeesThem() {
        assertEquals(Optional.of("64m"), new Mount.Tmpfs("/t", Optional.of("64m")).size());
        new Mount.Tmpfs("/t", Optional.of("10%"));
        new Mount.Tmpfs("/t", Optional.of("4096"));
        for (String bad : new String[] {"", "-1", "12q", "0", "64mb", "101%", "1,nr_inodes=1"}) {
            Failure e = assertThrows(Failure.class, () -> new Mount.Tmpfs("/t", Optional.of(bad)), bad);
            assertTrue(e.getMessage().startsWith("tmpfs size \"" + bad + "\""));
        }
    }
}
