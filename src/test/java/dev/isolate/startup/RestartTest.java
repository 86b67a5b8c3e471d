package dev.isolate.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RestartTest {
    @Test
    void theJvmStartsAgainWithoutTheCacheOptionsAndWithEveryArgumentOfIsolates() {
        List<String> started = List.of("java", "-Xrs", "-XX:+IgnoreUnrecognizedVMOptions",
                "-XX:AOTCache=/c/x.jsa", "-Disolate.jvm-cache=/c/x.index", "-Disolate.passed-fds=3", "-jar",
                "/lib/isolate.jar", "-p", "echo", "-XX:AOTCache=/c/x.jsa", "-Disolate.jvm-cache=x", "-jar");
        assertEquals(List.of("java", "-Xrs", "-Disolate.passed-fds=3", "-jar", "/lib/isolate.jar", "-p", "echo",
                "-XX:AOTCache=/c/x.jsa", "-Disolate.jvm-cache=x", "-jar"), Restart.withoutCache(started, 5));
        assertEquals(List.of("/usr/bin/java", "-jar", "j"), Restart.withoutCache(List.of("/usr/bin/java",
                "-XX:SharedArchiveFile=/c/x.jsa", "-Disolate.jvm-cache=/c/x.index", "-jar", "j"), 0));
        assertEquals(List.of("java", "--enable-native-access=ALL-UNNAMED", "-cp", "/lib/isolate.jar",
                "dev.isolate.cli.Main", "-XX:AOTCache=/c/x.jsa"), Restart.withoutCache(List.of("java",
                "--enable-native-access=ALL-UNNAMED", "-XX:AOTCache=/c/x.jsa", "-cp", "/lib/isolate.jar",
                "dev.isolate.cli.Main", "-XX:AOTCache=/c/x.jsa"), 1));
    }
}
