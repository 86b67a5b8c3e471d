package dev.isolate.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerDirectoryTest {
    @TempDir
    Path temporary;

    private RuntimeRoot root() {
        return RuntimeRoot.at(temporary.resolve("state"));
    }

    @Test
    void theStateDirectoryIsMadePrivate() throws IOException {
        RuntimeRoot root = root();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.directory())));
    }

    @Test
    void anIdIsClaimedOnceAndItsDirectoryAppearsWhole() throws IOException {
        RuntimeRoot root = root();
        try (ContainerDirectory claimed = ContainerDirectory.claim(root, "c1")) {
            assertEquals(List.of("c1"), root.ids());
            assertEquals("rwx------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(root.directory().resolve("c1"))));
            Failure twice = assertThrows(Failure.class, () -> ContainerDirectory.claim(root, "c1"));
            assertEquals("container with id exists: c1", twice.getMessage());
        }
        // the refused claim left no temporary directory
        try (var entries = Files.list(root.directory())) {
            assertEquals(List.of("c1"), entries.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void stateIsReplacedWholeAndReadWithoutTheLock() {
        RuntimeRoot root = root();
        try (ContainerDirectory directory = ContainerDirectory.claim(root, "c1")) {
            assertEquals(Optional.empty(), directory.state());
            directory.write(ContainerStateTest.sample());
            assertEquals(ContainerStateTest.sample().stored(),
                    ContainerDirectory.read(root, "c1").orElseThrow().stored());
        }
    }

    @Test
    void removeLeavesNothing() {
        RuntimeRoot root = root();
        try (ContainerDirectory directory = ContainerDirectory.claim(root, "c1")) {
            directory.write(ContainerStateTest.sample());
            directory.remove();
        }
        assertFalse(ContainerDirectory.exists(root, "c1"));
        assertEquals(List.of(), root.ids());
        Failure failure = assertThrows(Failure.class, () -> ContainerDirectory.open(root, "c1"));
        assertEquals("container does not exist: c1", failure.getMessage());
    }

    @Test
    void aDirectoryOthersCanEnterIsNotTrusted() throws IOException {
        RuntimeRoot root = root();
        ContainerDirectory.claim(root, "c1").close();
        Files.setPosixFilePermissions(root.directory().resolve("c1"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Failure failure = assertThrows(Failure.class, () -> ContainerDirectory.read(root, "c1"));
        assertTrue(failure.getMessage().endsWith("mode 755 lets others in: not trusted"), failure.getMessage());
    }

    @Test
    void aStateDirectoryOthersCanWriteIsNotTrusted() throws IOException {
        Path shared = Files.createDirectory(temporary.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Failure failure = assertThrows(Failure.class, () -> RuntimeRoot.at(shared));
        assertTrue(failure.getMessage().endsWith("mode 777 lets others write it: not trusted"), failure.getMessage());
    }

    @Test
    void aLinkIsNotAContainersDirectory() throws IOException {
        RuntimeRoot root = root();
        Path elsewhere = Files.createDirectory(temporary.resolve("elsewhere"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createSymbolicLink(root.directory().resolve("c1"), elsewhere);
        Failure failure = assertThrows(Failure.class, () -> ContainerDirectory.open(root, "c1"));
        assertTrue(failure.getMessage().endsWith(": not a directory"), failure.getMessage());
    }
}
