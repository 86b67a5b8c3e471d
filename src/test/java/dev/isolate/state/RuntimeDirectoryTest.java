package dev.isolate.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run by anyone: as root, a made-up user stands in (root's own directory is always /run/isolate). */
class RuntimeDirectoryTest {
    @TempDir
    Path temp;
    private long user;

    @BeforeEach
    void user() throws Exception {
        long me = ((Integer) Files.getAttribute(temp, "unix:uid")).longValue();
        user = me == 0 ? 4242 : me;
    }

    /** The user's own isolate directory under an XDG_RUNTIME_DIR. */
    private Path own(Path runtime) throws Exception {
        Path dir = Files.createDirectory(runtime.resolve("isolate"));
        Files.setAttribute(dir, "unix:uid", (int) user);
        return dir;
    }

    @Test
    void subdirectoriesComeInsideTheUsersOwnDirectory() throws Exception {
        Path base = own(temp);
        assertEquals(base.resolve("containers"),
                RuntimeDirectory.subdirectory(user, Map.of("XDG_RUNTIME_DIR", temp.toString()), "containers"));
        assertTrue(Files.isDirectory(base.resolve("containers")));
        assertEquals(Path.of("/run/isolate"), RuntimeDirectory.of(0, Map.of("XDG_RUNTIME_DIR", "/x")));
    }

    @Test
    void aRuntimeDirectorySomeoneElseMadeOrLinkedIsRefused() throws Exception {
        Path theirs = own(temp);
        Failure e = assertThrows(Failure.class, () -> RuntimeDirectory.subdirectory(user + 1,
                Map.of("XDG_RUNTIME_DIR", temp.toString()), "containers"));
        assertEquals("runtime directory " + theirs + ": belongs to someone else", e.getMessage());

        Path linked = Files.createDirectory(temp.resolve("linked"));
        Files.createSymbolicLink(linked.resolve("isolate"), theirs);
        assertThrows(Failure.class, () -> RuntimeDirectory.subdirectory(user,
                Map.of("XDG_RUNTIME_DIR", linked.toString()), "containers"));
        assertFalse(Files.exists(theirs.resolve("containers"), LinkOption.NOFOLLOW_LINKS),
                "nothing was created through the link");
    }

    @Test
    void ownEntriesAreNamedAfterTheirIsolateAndSweptWhenItHasEnded() throws Exception {
        own(temp);
        Map<String, String> environment = Map.of("XDG_RUNTIME_DIR", temp.toString());
        ProcessIdentity self = ProcessIdentity.self();
        Path resolv = Files.createDirectories(temp.resolve("isolate/resolv"));
        Path dead = Files.createFile(resolv.resolve(self.pid() + "-" + (self.startTime() + 1) + ".conf"));
        Path live = Files.createFile(resolv.resolve(self.pid() + "-" + self.startTime() + ".conf"));
        Path unrelated = Files.createFile(resolv.resolve("notes-1.conf"));
        Path overlay = Files.createDirectories(temp.resolve("isolate/overlay"));
        // pid 1 is alive, but it is not the process that made this: its start time differs
        Path pidReused = Files.createDirectory(overlay.resolve("1-" + self.startTime()));
        Path notEmpty = Files.createDirectory(overlay.resolve(self.pid() + "-" + (self.startTime() + 1)));
        Files.createFile(notEmpty.resolve("kept"));

        assertEquals(List.of(pidReused, dead), RuntimeDirectory.sweep(user, environment));
        assertTrue(Files.exists(live) && Files.exists(unrelated) && Files.exists(notEmpty));

        Files.createFile(dead);
        assertEquals(resolv.resolve(self.pid() + "-" + self.startTime()),
                RuntimeDirectory.ownEntry(user, environment, RuntimeDirectory.Owned.RESOLV));
        assertFalse(Files.exists(dead), "a launch that makes an entry sweeps the others");
        assertTrue(Files.exists(live));
    }
}
