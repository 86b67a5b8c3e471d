package dev.isolate.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.ExitStatus;
import dev.isolate.exit.Failure;
import dev.isolate.spec.Mount;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --init's lookup on PATH, and the check that a root filesystem gets a static init. */
class InitProgramTest {
    private static final int PT_LOAD = 1;
    private static final int PT_INTERP = 3;

    @TempDir
    Path dir;

    /** A 64-bit little-endian ELF header and a program header table of these segment types. */
    private static byte[] elf(int... segments) {
        ByteBuffer b = ByteBuffer.allocate(64 + 56 * segments.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        b.putShort(16, (short) 2).putShort(18, (short) 62).putLong(32, 64).putShort(54, (short) 56)
                .putShort(56, (short) segments.length);
        for (int i = 0; i < segments.length; i++) {
            b.putInt(64 + 56 * i, segments[i]);
        }
        return b.array();
    }

    private Path program(String name, byte[] content) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private Map<String, String> path() {
        return Map.of("PATH", "/nonexistent:" + dir);
    }

    @Test
    void theStaticTiniIsPreferred() throws IOException {
        program("tini", elf(PT_INTERP, PT_LOAD));
        Path tiniStatic = program("tini-static", elf(PT_LOAD, PT_LOAD));
        InitProgram init = InitProgram.find(path(), true);
        assertEquals(new InitProgram(tiniStatic.toString(), true), init);
        assertEquals(new Mount.Bind(tiniStatic.toString(), "/dev/init", true), init.binding());
        assertEquals("/dev/init", init.executedPath(true));
        assertEquals(tiniStatic.toString(), init.executedPath(false));
    }

    @Test
    void aDynamicTiniServesWithoutARootFilesystemOnly() throws IOException {
        Path tini = program("tini", elf(PT_LOAD, PT_INTERP));
        assertEquals(new InitProgram(tini.toString(), false), InitProgram.find(path(), false));
        Failure failure = assertThrows(Failure.class, () -> InitProgram.find(path(), true));
        assertEquals(ExitStatus.SETUP_FAILED, failure.exitStatus());
        assertEquals("--init: " + tini + " is dynamically linked and the root filesystem may have no C library"
                + " for it: put tini-static on PATH (Debian package tini)", failure.getMessage());
    }

    @Test
    void noInitOnPathIsOneLineNamingThePackage() throws IOException {
        program("catatonit", elf(PT_LOAD));
        Files.write(dir.resolve("tini-static"), elf(PT_LOAD)); // not executable: passed over, as the shell does
        Failure failure = assertThrows(Failure.class, () -> InitProgram.find(path(), false));
        assertEquals(ExitStatus.SETUP_FAILED, failure.exitStatus());
        assertEquals("--init: neither tini-static nor tini is on PATH: install the Debian package tini",
                failure.getMessage());
    }

    @Test
    void onlyAnElfWithoutAProgramInterpreterIsStatic() throws IOException {
        assertTrue(InitProgram.isStaticElf(program("a", elf(PT_LOAD))));
        assertFalse(InitProgram.isStaticElf(program("b", elf(PT_LOAD, PT_INTERP))));
        assertFalse(InitProgram.isStaticElf(program("c", "#!/bin/sh\nexit 0\n".getBytes())));
        byte[] truncated = elf(PT_LOAD, PT_LOAD);
        assertFalse(InitProgram.isStaticElf(program("d", java.util.Arrays.copyOf(truncated, 100))),
                "a program header table cut short");
        assertFalse(InitProgram.isStaticElf(dir.resolve("missing")));
    }
}
