package dev.isolate.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The bytes in TrampolineCode must be what the assembly source assembles to. */
class TrampolineCodeTest {
    @Test
    void bytesMatchTheAssemblySource() throws Exception {
        boolean haveAssembler = Files.isExecutable(Path.of("/usr/bin/as")) && Files.isExecutable(Path.of("/usr/bin/nm"));
        if (!"true".equals(System.getenv("CI"))) {
            Assumptions.assumeTrue(haveAssembler, "GNU as is not installed (Debian package binutils)");
        }
        Process generate = new ProcessBuilder("scripts/assemble-trampoline")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String generated = new String(generate.getInputStream().readAllBytes());
        generate.waitFor(60, TimeUnit.SECONDS);
        assertEquals(0, generate.exitValue(), "scripts/assemble-trampoline failed");
        String committed = Files.readString(Path.of("src/main/java/dev/isolate/sys/TrampolineCode.java"));
        assertEquals(committed, generated,
                "TrampolineCode.java is stale: run scripts/assemble-trampoline > src/main/java/dev/isolate/sys/TrampolineCode.java");
    }
}
