package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.isolate.cli.CompanionFiles;
import dev.isolate.it.Isolate.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * isolate as it is installed and as it runs from a checkout: scripts/install into a scratch
 * prefix, the installed launcher run from elsewhere by root and by nobody, its man pages and
 * completion, an uninstall that leaves the prefix as it was; and scripts/isolate rebuilding
 * a copy of the checkout once a source or the pom is newer than its jar.
 */
class InstallIT {
    private static final Path REPO = Path.of("").toAbsolutePath();
    /** A build of the whole checkout, on a busy 2-core machine. */
    private static final long BUILD_SECONDS = 600;

    @Test
    void installedIsolateRunsAnywhereAndUninstallLeavesThePrefixAsItWas(@TempDir Path tmp) throws IOException {
        jvmCache = tmp.resolve("jvm-cache");
        Privileged.requireRoot();
        Path prefix = tmp.resolve("prefix");
        // What was there before must stay: a directory install also uses, a file beside its own.
        Files.createDirectories(prefix.resolve("share/man/man1"));
        Files.writeString(prefix.resolve("share/man/man1/other.1"), ".TH OTHER 1\n");
        Files.createDirectories(prefix.resolve("bin"));
        Files.writeString(prefix.resolve("bin/other"), "#!/bin/sh\n");
        openToEveryone(tmp);
        Map<String, String> before = listing(prefix);

        Result install = run(List.of(REPO.resolve("scripts/install").toString(), "--prefix", prefix.toString()));
        assertEquals(0, install.exit(), install.err());
        Path launcher = prefix.resolve("bin/isolate");
        String launcherText = Files.readString(launcher);
        assertFalse(launcherText.contains(REPO.toString()), "the installed launcher names the checkout");
        assertFalse(launcherText.contains("mvn"), "the installed launcher may build");

        String version = Isolate.AS_ROOT.run("--version").out();
        List<Isolate> users = List.of(new Isolate(List.of(), launcher), Isolate.asNobody(launcher));
        for (Isolate who : users.stream().map(user -> user.withEnvironment("ISOLATE_JVM_CACHE=" + jvmCache)).toList()) {
            assertEquals(new Result(0, "ok\n", ""), who.run("-p", "echo", "ok"), who.script().toString());
            assertEquals(new Result(0, version, ""), who.run("--version"));
            Result help = who.run("--help");
            assertEquals(0, help.exit(), help.err());
            assertTrue(help.out().startsWith("Usage: isolate "), help.out());
        }

        checkManPages(prefix.resolve("share/man/man1"));
        assertEquals(List.of("--rootfs", "--ro-bind"), bashCompletion(prefix, "isolate", "--ro"));
        assertEquals(List.of("exec"), bashCompletion(prefix, "isolate", "ex"));
        assertTrue(bashCompletion(prefix, "isolate", "ps", "--").contains("--json"));
        checkZshCompletion(prefix);

        Result uninstall = run(List.of(REPO.resolve("scripts/install").toString(), "--uninstall", "--prefix", prefix.toString()));
        assertEquals(new Result(0, "", ""), uninstall);
        assertEquals(before, listing(prefix));
    }

    @Test
    void checkoutLauncherRebuildsOnceASourceOrThePomIsNewerThanTheJar(@TempDir Path tmp) throws IOException {
        jvmCache = tmp.resolve("jvm-cache");
        Privileged.requireRoot();
        Path copy = tmp.resolve("checkout");
        for (String part : List.of("pom.xml", "src/main", "src/build", "scripts", "target/isolate.jar", "target/lib",
                "target/native")) {
            RootlessCopy.copyTree(REPO.resolve(part), copy.resolve(part), StandardCopyOption.COPY_ATTRIBUTES,
                    StandardCopyOption.REPLACE_EXISTING);
        }
        // Sources an hour old, so that the copied jar is up to date whenever the checkout's was built.
        FileTime hourAgo = FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS));
        try (Stream<Path> sources = Stream.concat(Files.walk(copy.resolve("src")), Stream.of(copy.resolve("pom.xml")))) {
            for (Path p : sources.toList()) {
                Files.setLastModifiedTime(p, hourAgo);
            }
        }
        Path script = copy.resolve("scripts/isolate");
        Path jar = copy.resolve("target/isolate.jar");
        String version = Isolate.AS_ROOT.run("--version").out();

        FileTime built = Files.getLastModifiedTime(jar);
        assertEquals(new Result(0, version, ""), run(List.of(script.toString(), "--version")));
        assertEquals(built, Files.getLastModifiedTime(jar), "rebuilt although nothing changed");

        Files.setLastModifiedTime(copy.resolve("src/main/java/dev/isolate/cli/Version.java"), FileTime.from(Instant.now()));
        assertEquals(0, run(List.of(script.toString(), "--version")).exit());
        assertNotEquals(built, Files.getLastModifiedTime(jar), "not rebuilt after a source changed");

        Path pom = copy.resolve("pom.xml");
        String pomText = Files.readString(pom);
        Files.writeString(pom, pomText.replaceFirst("<version>([^<]*)</version>", "<version>$1-rebuilt</version>"));
        Result rebuilt = run(List.of(script.toString(), "--version"));
        assertEquals(0, rebuilt.exit(), rebuilt.err());
        assertEquals(version.strip() + "-rebuilt\n", rebuilt.out(), "the jar built from the changed pom runs");

        // Through a link from elsewhere, the launcher finds its checkout, now up to date.
        built = Files.getLastModifiedTime(jar);
        Path link = Files.createSymbolicLink(Files.createDirectories(tmp.resolve("bin")).resolve("isolate"), script);
        assertEquals(new Result(0, "ok\n", ""), run(List.of(link.toString(), "-p", "echo", "ok")));
        assertEquals(built, Files.getLastModifiedTime(jar), "rebuilt although nothing changed");
    }

    /**
     * One page for isolate and one for each of its commands, each rendered by man without a
     * warning, naming every option its command has.
     */
    private static void checkManPages(Path man1) throws IOException {
        Map<String, CommandSpec> expected = new TreeMap<>();
        commands(CompanionFiles.model().getCommandSpec(), expected);
        TreeSet<String> installed = new TreeSet<>();
        try (Stream<Path> pages = Files.list(man1)) {
            pages.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("isolate")).forEach(installed::add);
        }
        assertEquals(new TreeSet<>(expected.keySet().stream().map(n -> n + ".1").toList()), installed);
        expected.forEach((name, spec) -> {
            Result page = run(List.of("env", "LC_ALL=C", "MANWIDTH=80", "man", "--warnings", "-l", man1.resolve(name + ".1").toString()));
            assertEquals(0, page.exit(), name + ": " + page.err());
            assertEquals("", page.err(), name);
            assertTrue(page.out().startsWith(name.toUpperCase() + "(1)"), name + ": " + page.out());
            assertTrue(page.out().contains("\nNAME\n       " + name + " - "), name + ": " + page.out());
            for (OptionSpec option : spec.options()) {
                if (!option.hidden()) {
                    assertTrue(page.out().contains(option.longestName()), name + " lacks " + option.longestName());
                }
            }
        });
    }

    private static void commands(CommandSpec spec, Map<String, CommandSpec> byPage) {
        byPage.put(spec.qualifiedName("-"), spec);
        spec.subcommands().values().forEach(sub -> commands(sub.getCommandSpec(), byPage));
    }

    /**
     * What bash offers for the last word: the completion is found where bash-completion looks
     * (XDG_DATA_DIRS), then its function is called as bash calls it on TAB.
     */
    private static List<String> bashCompletion(Path prefix, String... words) {
        String script = "XDG_DATA_DIRS=" + prefix.resolve("share") + "\n"
                + ". /usr/share/bash-completion/bash_completion\n"
                + "__load_completion isolate || exit 3\n"
                + "spec=$(complete -p isolate) && [[ $spec =~ -F\\ ([^ ]+) ]] || exit 4\n"
                + "COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE}\n"
                + "\"${BASH_REMATCH[1]}\" isolate \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        List<String> command = new ArrayList<>(List.of("bash", "--norc", "--noprofile", "-c", script, "bash"));
        command.addAll(List.of(words));
        Result r = run(command);
        assertEquals(0, r.exit(), r.err());
        return r.out().lines().toList();
    }

    /** zsh, interactive on a pseudo-terminal (zpty), autoloads _isolate from site-functions and lists the two. */
    private static void checkZshCompletion(Path prefix) {
        if (run(List.of("sh", "-c", "command -v zsh")).exit() != 0) {
            if ("true".equals(System.getenv("CI"))) {
                fail("zsh is not installed (.ci/packages lists it)");
            }
            Assumptions.abort("zsh is not installed");
        }
        String script = "zmodload zsh/zpty\n"
                + "zpty z 'TERM=dumb zsh -f -i'\n"
                + "zpty -w z 'fpath=(" + prefix.resolve("share/zsh/site-functions") + " $fpath); autoload -U compinit; compinit -u -D'\n"
                + "zpty -wn z $'isolate --ro\\t\\t'\n"
                + "out=\n"
                + "for i in {1..50}; do\n"
                + "  while zpty -rt z chunk; do out+=$chunk; done\n"
                + "  [[ $out == *--rootfs* ]] && break\n"
                + "  sleep 0.2\n"
                + "done\n"
                + "zpty -d z\n"
                + "print -r -- ${out//$'\\r'/}\n";
        Result r = run(List.of("zsh", "-f", "-c", script));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("--ro-bind  --rootfs"), r.out());
        assertFalse(r.out().contains("not found"), r.out());
    }

    /**
     * Where the launchers under test keep their JVM caches: in the test's own directory, so
     * that the caches of its scratch install and checkout go with it.
     */
    private static Path jvmCache;

    private static Result run(List<String> command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(Path.of("/tmp").toFile());
            builder.environment().put("ISOLATE_JVM_CACHE", jvmCache.toString());
            Process process = builder.start();
            var out = Isolate.readAsync(process.getInputStream());
            var err = Isolate.readAsync(process.getErrorStream());
            process.getOutputStream().close();
            if (!process.waitFor(BUILD_SECONDS, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            return new Result(process.exitValue(), out.get(), err.get());
        } catch (IOException | InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Each entry's type, mode, owner and, for a file, its time and content: a directory's time changes with its entries. */
    private static Map<String, String> listing(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
                String detail = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir"
                        : a.get("lastModifiedTime") + " " + new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
                entries.put("/" + root.relativize(p), String.format("%o %s:%s %s", a.get("mode"), a.get("uid"), a.get("gid"), detail));
            }
        }
        return entries;
    }

    /** nobody must reach the prefix: a temporary directory is its owner's alone. */
    private static void openToEveryone(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }
}
