package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isolate.it.Isolate.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * isolate is Java 17 bytecode and must run, silently, on newer JDKs too: no warnings about
 * native access or sun.misc.Unsafe may ever reach the user's stderr.
 */
class NewerJdkIT {
    private static final Pattern VERSION = Pattern.compile("JAVA_VERSION=\"(\\d+)");

    @Test
    void runsSilentlyOnEveryNewerInstalledJdk() throws IOException {
        Privileged.requireRoot();
        List<Path> javas = newerJdks();
        Assumptions.assumeFalse(javas.isEmpty(), "no JDK newer than 17 under /usr/lib/jvm");
        for (Path java : javas) {
            List<String> command = new ArrayList<>(List.of("env", "JAVA=" + java));
            command.addAll(Isolate.AS_ROOT.command("-npumiCT", "h", "sh", "-c", "hostname"));
            Result r = Isolate.exec(command, null);
            assertEquals(new Result(0, "h\n", ""), r, java.toString());
        }
    }

    /**
     * A JVM of JDK 22 or later started without native access (by hand, as the launcher never
     * does) is refused with one line before anything loads native code: JDK 24 on would print
     * its warnings first, and grant the access once it had.
     */
    @Test
    void withoutNativeAccessANewerJdkIsRefusedWithOneLineAndNoWarning() throws IOException {
        Privileged.requireRoot();
        List<Path> javas = newerJdks();
        Assumptions.assumeFalse(javas.isEmpty(), "no JDK newer than 17 under /usr/lib/jvm");
        Path jar = Isolate.REPO_SCRIPT.getParent().getParent().resolve("target/isolate.jar");
        Path stub = jar.resolveSibling("native/jni/x86_64-Linux");
        for (Path java : javas) {
            Result r = Isolate.exec(List.of("env", "_JAVA_SR_SIGNUM=40", java.toString(), "-Xrs",
                    "-Djffi.unsafe.disabled=true", "-Djffi.boot.library.path=" + stub, "-cp", jar.toString(),
                    "dev.isolate.cli.Main", "-u", "h", "true"), null);
            assertEquals(new Result(125, "", "isolate: this JVM was not started as isolate needs: native access is not"
                    + " enabled (start the JVM with --enable-native-access=ALL-UNNAMED); run isolate through its"
                    + " launcher (bin/isolate as installed, scripts/isolate in a checkout)\n"), r, java.toString());
        }
    }

    private static List<Path> newerJdks() throws IOException {
        List<Path> javas = new ArrayList<>();
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return javas;
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            for (Path home : homes.filter(h -> !Files.isSymbolicLink(h)).sorted().toList()) {
                Path release = home.resolve("release");
                Path java = home.resolve("bin/java");
                if (Files.isReadable(release) && Files.isExecutable(java)) {
                    Matcher m = VERSION.matcher(Files.readString(release));
                    if (m.find() && Integer.parseInt(m.group(1)) > 17) {
                        javas.add(java);
                    }
                }
            }
        }
        return javas;
    }
}
