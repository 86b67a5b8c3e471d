package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.it.Isolate.Result;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The JVM cache scripts/isolate makes and loads, on JDK 17 and on every newer JDK under
 * /usr/lib/jvm: the first start trains it and runs with it, the next ones load it (seen in the
 * JVM's /proc/PID/maps while COMMAND runs), a replaced jar is never run from a stale cache
 * (Temurin 25.0.3 would: JDK-8377932), and a cache or directory another user could have
 * written is never loaded. Every run's output is COMMAND's alone. Each test works on a copy
 * of the program and a cache directory of its own, both removed afterwards.
 */
class StartupCacheIT {
    private static final Pattern VERSION = Pattern.compile("JAVA_VERSION=\"(\\d+)");
    private static final String NOBODY = "65534";

    private Path tmp;
    private Path script;

    /** What COMMAND printed, and the files its isolate JVM had mapped while it ran. */
    record Run(Result result, List<String> maps) {
        /** Whether the file of this inode (taken before the run: a run may replace the file) was mapped. */
        boolean mapped(Object inode) {
            return maps.stream().anyMatch(line -> line.contains(" " + inode + " "));
        }

        boolean mappedAnythingIn(Path directory) {
            return maps.stream().anyMatch(line -> line.contains(" " + directory + "/"));
        }
    }

    @BeforeEach
    void copyTheProgram() throws IOException {
        Privileged.requireRoot();
        tmp = Files.createTempDirectory("isolate-startup-cache");
        Path repo = Path.of("").toAbsolutePath();
        for (String part : List.of("scripts/isolate", "target/isolate.jar", "target/lib", "target/native")) {
            RootlessCopy.copyTree(repo.resolve(part), tmp.resolve("program").resolve(part));
        }
        try (Stream<Path> all = Files.walk(tmp)) {
            for (Path p : all.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
                        Files.isDirectory(p) || p.endsWith("isolate") ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        script = tmp.resolve("program/scripts/isolate");
    }

    @AfterEach
    void removeTheCopyAndTheCaches() {
        if (tmp != null) {
            Isolate.exec(List.of("rm", "-rf", "--", tmp.toString()), null);
        }
    }

    @Test
    void theFirstStartTrainsTheNextLoadAndAReplacedJarNeverRunsFromIt() throws IOException {
        List<String> javas = javas();
        for (String java : javas) {
            Path cache = tmp.resolve("cache-" + javas.indexOf(java));
            Path archive = only(cache, ".jsa", java, "first");
            Object trained = inode(archive);
            Run second = asRoot(java, cache);
            assertEquals(new Result(0, "ok\n", ""), second.result(), java);
            assertTrue(second.mapped(trained), java + ": the second start loads the cache");
            assertEquals(trained, inode(only(cache, ".jsa", java, null)), java + ": and keeps it");

            // --version's cache (another kind of start's) is made, then goes stale too.
            List<String> root = rootCommand(java, cache);
            Result version = Isolate.exec(with(root, "--version"), null);
            assertEquals(version, Isolate.exec(with(root, "--version"), null), java);
            replaceTheJar("-replaced");
            Result replaced = Isolate.exec(with(root, "--version"), null);
            assertEquals(new Result(0, "isolate 0.1.0-replaced\n", ""), replaced, java + ": the new jar runs");
            Run stale = asRoot(java, cache);
            assertEquals(new Result(0, "ok\n", ""), stale.result(), java);
            assertFalse(stale.mapped(trained), java + ": a launch does not run from the stale cache");
            Run retrained = asRoot(java, cache);
            assertEquals(new Result(0, "ok\n", ""), retrained.result(), java);
            assertNotEquals(trained, inode(archive), java + ": the next start trains anew");
            assertTrue(retrained.mapped(inode(archive)), java + ": and runs with the new cache");
            assertEquals(replaced, Isolate.exec(with(root, "--version"), null), java);
            replaceTheJar("");
        }
    }

    /**
     * A java that now leads to another JDK (a link switched, as update-alternatives does): the
     * cache made for the first is not used (the options of some JDKs leave out what others
     * need), the start is correct and silent, and the next cache is the new JDK's.
     */
    @Test
    void aJavaThatLeadsToAnotherJdkNowStartsWithoutTheFirstsCache() throws IOException {
        List<String> javas = javas();
        Assumptions.assumeTrue(javas.size() > 1, "no JDK newer than 17 under /usr/lib/jvm");
        Path link = Files.createDirectory(tmp.resolve("bin")).resolve("java");
        Path cache = tmp.resolve("cache-switched");
        for (String java : List.of(javas.get(0), javas.get(javas.size() - 1), javas.get(0))) {
            Object before = Files.exists(link, LinkOption.NOFOLLOW_LINKS) && Files.exists(cache)
                    ? inode(onlyNamed(cache, "_launch.jsa")) : null;
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, Path.of(java));
            Run run = asRoot(link.toString(), cache);
            assertEquals(new Result(0, "ok\n", ""), run.result(), java);
            Path archive = onlyNamed(cache, "_launch.jsa");
            assertNotEquals(before, inode(archive), java + ": trained anew");
            assertTrue(run.mapped(inode(archive)), java + ": and runs with its own cache");
        }
    }

    @Test
    void aCacheAnotherUserCouldHaveWrittenIsNeverLoaded() throws IOException {
        List<String> javas = javas();
        for (String java : javas) {
            Path cache = tmp.resolve("cache-" + javas.indexOf(java));
            Path archive = only(cache, ".jsa", java, "first");

            for (String[] change : new String[][] {{"chown", NOBODY}, {"chmod", "g+w"}, {"chmod", "o+w"}}) {
                chmodOrChown(change, archive);
                Object changed = inode(archive);
                Run run = asRoot(java, cache);
                assertEquals(new Result(0, "ok\n", ""), run.result(), java + " " + String.join(" ", change));
                assertFalse(run.mapped(changed), java + ": an archive after " + String.join(" ", change));
                archive = only(cache, ".jsa", java, null);
                assertTrue(run.mapped(inode(archive)), java + ": trained anew and loaded");
            }

            Path elsewhere = tmp.resolve("elsewhere-" + javas.indexOf(java) + ".jsa");
            Files.copy(archive, elsewhere, StandardCopyOption.COPY_ATTRIBUTES);
            Files.delete(archive);
            Files.createSymbolicLink(archive, elsewhere);
            Run linked = asRoot(java, cache);
            assertEquals(new Result(0, "ok\n", ""), linked.result(), java);
            assertFalse(linked.mapped(inode(elsewhere)), java + ": a link to an archive");
            archive = only(cache, ".jsa", java, null);
            assertFalse(Files.isSymbolicLink(archive));

            chmodOrChown(new String[] {"chown", NOBODY}, only(cache, ".index", java, null));
            Object throughForeignIndex = inode(archive);
            Run foreignIndex = asRoot(java, cache);
            assertEquals(new Result(0, "ok\n", ""), foreignIndex.result(), java);
            assertFalse(foreignIndex.mapped(throughForeignIndex), java + ": through an index nobody owns");
            assertEquals(0, Files.getAttribute(only(cache, ".index", java, null), "unix:uid"), "trained anew");

            for (String[] change : new String[][] {{"chown", NOBODY}, {"chmod", "g+w"}, {"chmod", "o+w"}}) {
                chmodOrChown(change, cache);
                Object before = inode(only(cache, ".jsa", java, null));
                Run run = asRoot(java, cache);
                assertEquals(new Result(0, "ok\n", ""), run.result(), java + " " + String.join(" ", change));
                assertFalse(run.mappedAnythingIn(cache), java + ": from a directory after " + String.join(" ", change));
                assertEquals(before, inode(only(cache, ".jsa", java, null)), java + ": nor trained in it");
                chmodOrChown(change[0].equals("chown") ? new String[] {"chown", "0"} : new String[] {"chmod", "700"},
                        cache);
            }
        }
    }

    @Test
    void nobodyTrainsInItsOwnCacheAndLoadsIt() throws IOException {
        List<String> javas = javas();
        for (String java : javas) {
            Path xdg = Files.createDirectory(tmp.resolve("xdg-" + javas.indexOf(java)));
            chmodOrChown(new String[] {"chown", NOBODY}, xdg);
            Path cache = xdg.resolve("isolate/jvm");
            List<String> nobody = List.of("env", "-u", "ISOLATE_JVM_CACHE", "XDG_CACHE_HOME=" + xdg,
                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "JAVA=" + java,
                    "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", script.toString());
            Run first = observed(nobody);
            assertEquals(new Result(0, "ok\n", ""), first.result(), java);
            Path archive = only(cache, ".jsa", java, null);
            assertTrue(first.mapped(inode(archive)), java + ": the first start runs with the cache it trained");
            for (Path p : List.of(cache, archive, only(cache, ".index", java, null))) {
                assertEquals(65534, Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS), p.toString());
                assertEquals(0, (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 022,
                        p.toString());
            }
            Run second = observed(nobody);
            assertEquals(new Result(0, "ok\n", ""), second.result(), java);
            assertTrue(second.mapped(inode(archive)), java + ": the second start loads it");
        }
    }

    /**
     * Each kind of start trains a cache of its own beside a launch's and loads it (its JVM's
     * openat calls, under strace: these commands exit at once): isolate's other commands
     * (--version here), and isolate-runtime, the same jar under another name. No start retrains
     * or touches another kind's cache.
     */
    @Test
    void eachKindOfStartTrainsAndLoadsACacheOfItsOwn() throws IOException {
        Path runtime = Files.createSymbolicLink(script.resolveSibling("isolate-runtime"), Path.of("isolate"));
        List<String> javas = javas();
        for (String java : javas) {
            Path cache = tmp.resolve("cache-" + javas.indexOf(java));
            Path launchArchive = only(cache, ".jsa", java, "first");
            Object launchTrained = inode(launchArchive);
            Path state = Files.createDirectory(tmp.resolve("state-" + javas.indexOf(java)));
            List<String> version = with(rootCommand(java, cache), "--version");
            List<String> list = List.of("env", "ISOLATE_JVM_CACHE=" + cache, "JAVA=" + java, runtime.toString(),
                    "--root", state.toString(), "list", "-q");
            for (List<String> start : List.of(version, list)) {
                String kind = start == version ? "_commands" : "_runtime";
                Result first = Isolate.exec(start, null);
                assertEquals(0, first.exit(), java + kind + ": " + first);
                assertEquals("", first.err(), java + kind);
                Path archive = onlyNamed(cache, kind + ".jsa");
                Object trained = inode(archive);

                Path traced = tmp.resolve("openat-" + javas.indexOf(java) + kind);
                List<String> strace = new ArrayList<>(List.of("strace", "-f", "-qq", "-e", "trace=openat", "-o",
                        traced.toString()));
                strace.addAll(start);
                assertEquals(first, Isolate.exec(strace, null), java + kind + ": the second start");
                String opened = Files.readString(traced);
                assertTrue(opened.contains("\"" + archive + "\""), java + kind + ": it loads its own cache");
                assertFalse(opened.contains("\"" + launchArchive + "\""), java + kind + ": and not a launch's");
                String jar = "\"" + script.resolveSibling("../target/isolate.jar").normalize() + "\"";
                assertFalse(opened.contains(jar), java + kind + ": nothing from the jar");
                assertEquals(trained, inode(archive), java + kind + ": which it keeps");
            }

            assertEquals(new Result(0, "ok\n", ""), asRoot(java, cache).result(), java);
            assertEquals(launchTrained, inode(launchArchive), java + ": a launch keeps its cache too");
        }
    }

    /**
     * A root launch without CAP_SYS_ADMIN takes a user namespace and no cgroup: it trains a
     * cache of its own, and the first launch with the capability trains and loads another,
     * which holds the cgroup's classes (the mount table's reader among them) that the first
     * lacks. Without the split, whichever came first after a build trained the one cache.
     */
    @Test
    void aRootLaunchWithoutCapSysAdminTrainsACacheOfItsOwn() throws IOException {
        List<String> javas = javas();
        for (String java : javas) {
            Path cache = tmp.resolve("cache-" + javas.indexOf(java));
            List<String> reduced = new ArrayList<>(List.of("setpriv", "--bounding-set", "-sys_admin"));
            reduced.addAll(with(rootCommand(java, cache), "-u", "h", "true"));
            assertEquals(new Result(0, "", ""), Isolate.exec(reduced, null), java + ": without CAP_SYS_ADMIN");
            Path without = onlyNamed(cache, "_launch-without-cap-sys-admin.jsa");
            try (Stream<Path> files = Files.list(cache)) {
                assertEquals(List.of(), files.filter(p -> p.getFileName().toString().endsWith("_launch.jsa")).toList(),
                        java + ": no usual launch's cache yet");
            }
            Path full = only(cache, ".jsa", java, "first");
            String marker = "dev/isolate/host/MountInfo";
            assertFalse(contains(without, marker), java + ": a launch without a cgroup never read the mount table");
            assertTrue(contains(full, marker), java + ": the usual launch's cache has the cgroup's classes");
            assertEquals(new Result(0, "", ""), Isolate.exec(reduced, null), java + ": its own cache, again");
        }
    }

    /**
     * A root launch that sees no cgroup hierarchy (as under ip netns exec, whose sysfs has
     * none mounted; here a mount namespace with an empty tmpfs on /sys/fs/cgroup) makes no
     * cgroup: it trains a cache of its own, and the usual launch after it trains and loads
     * another, rather than the one without the cgroup's classes.
     */
    @Test
    void aLaunchThatSeesNoCgroupHierarchyTrainsACacheOfItsOwn() throws IOException {
        List<String> javas = javas();
        for (String java : javas) {
            Path cache = tmp.resolve("cache-" + javas.indexOf(java));
            List<String> hidden = new ArrayList<>(List.of("unshare", "--mount", "--", "sh", "-c",
                    "mount -t tmpfs none /sys/fs/cgroup && exec \"$0\" \"$@\""));
            hidden.addAll(with(rootCommand(java, cache), "-u", "h", "true"));
            assertEquals(new Result(0, "", ""), Isolate.exec(hidden, null), java + ": without cgroups");
            Path without = onlyNamed(cache, "_launch-without-cgroups.jsa");
            try (Stream<Path> files = Files.list(cache)) {
                assertEquals(List.of(), files.filter(p -> p.getFileName().toString().endsWith("_launch.jsa")).toList(),
                        java + ": no usual launch's cache yet");
            }
            Path traced = tmp.resolve("openat-cgroups-" + javas.indexOf(java));
            List<String> usual = new ArrayList<>(List.of("strace", "-f", "-qq", "-e", "trace=openat", "-o",
                    traced.toString()));
            usual.addAll(with(rootCommand(java, cache), "-u", "h", "true"));
            assertEquals(new Result(0, "", ""), Isolate.exec(usual, null), java + ": with cgroups");
            Path full = onlyNamed(cache, "_launch.jsa");
            String opened = Files.readString(traced);
            assertTrue(opened.contains("\"" + full + "\""), java + ": the usual launch loads its own cache");
            assertFalse(opened.contains("\"" + without + "\""), java + ": and not the one without cgroups");
            assertEquals(new Result(0, "", ""), Isolate.exec(hidden, null), java + ": its own cache, again");
        }
    }

    /**
     * Once a launch's cache is made, a launch into a root filesystem with the default seccomp
     * profile (the filter then found in the filter cache) loads none of its classes from the
     * jar: the training compiled the filter in another JVM and took the filter cache's path.
     * A class from the jar means opening it, 11 ms of every such start.
     */
    @Test
    void aRootFilesystemLaunchWithTheDefaultFilterOpensNoJar() throws IOException {
        Path image = TestImages.fresh(false);
        try {
            List<String> javas = javas();
            for (String java : javas) {
                Path cache = tmp.resolve("cache-" + javas.indexOf(java));
                List<String> launch = with(rootCommand(java, cache), "-R", image.toString(), "true");
                assertEquals(new Result(0, "", ""), Isolate.exec(launch, null), java + ": the first start");
                Path traced = tmp.resolve("openat-rootfs-" + javas.indexOf(java));
                List<String> strace = new ArrayList<>(List.of("strace", "-f", "-qq", "-e", "trace=openat", "-o",
                        traced.toString()));
                strace.addAll(launch);
                assertEquals(new Result(0, "", ""), Isolate.exec(strace, null), java + ": the second");
                String jar = "\"" + script.resolveSibling("../target/isolate.jar").normalize() + "\"";
                assertFalse(Files.readString(traced).contains(jar), java + ": opened " + jar);
            }
        } finally {
            TestImages.delete(image);
        }
    }

    /**
     * What a script asks of a running named container (ps, stats, logs, ns, kill, exec, stop,
     * rm) loads none of its classes from the jar once the caches of its kinds are made: the
     * training ran them against a container of its own, which it removed. exec has a cache of
     * its own, and so have they, apart from --version's. Nor does a named launch (run --name) with a launch's cache. A class from the jar
     * means opening it, 11 ms of every such start.
     */
    @Test
    void aNamedContainersCommandsOpenNoJarOnceTrained() throws IOException {
        String jar = "\"" + script.resolveSibling("../target/isolate.jar").normalize() + "\"";
        List<String> javas = javas();
        for (String java : javas) {
            Path cache = tmp.resolve("cache-" + javas.indexOf(java));
            String name = "it-cache-" + ProcessHandle.current().pid() + "-" + javas.indexOf(java);
            List<String> isolate = rootCommand(java, cache);
            Result run = Isolate.exec(with(isolate, "run", "-d", "--name", name, "-n", "sleep", "300"), null);
            assertEquals(new Result(0, name + "\n", ""), run, java + ": run -d");
            try {
                for (List<String> training : List.of(List.of("ps"), List.of("exec", name, "true"))) {
                    Result trained = Isolate.exec(with(isolate, training.toArray(String[]::new)), null);
                    assertEquals(0, trained.exit(), java + ": " + training + ": " + trained);
                    assertEquals("", trained.err(), java + ": " + training);
                }
                onlyNamed(cache, "_exec.jsa");
                onlyNamed(cache, "_containers.jsa");
                List<List<String>> starts = List.of(List.of("ps"), List.of("ps", "-a", "--json"), List.of("stats"),
                        List.of("logs", name), List.of("ns", name), List.of("kill", name, "CONT"),
                        List.of("exec", name, "true"), List.of("stop", "-t", "0", name), List.of("rm", name),
                        List.of("run", "--name", name, "-n", "true"), List.of("rm", name));
                for (List<String> start : starts) {
                    Path traced = tmp.resolve("openat-" + javas.indexOf(java) + "-" + starts.indexOf(start));
                    List<String> strace = new ArrayList<>(List.of("strace", "-f", "-qq", "-e", "trace=openat", "-o",
                            traced.toString()));
                    strace.addAll(with(isolate, start.toArray(String[]::new)));
                    Result result = Isolate.exec(strace, null);
                    assertEquals(0, result.exit(), java + ": " + start + ": " + result);
                    assertEquals("", result.err(), java + ": " + start);
                    assertFalse(Files.readString(traced).contains(jar), java + ": " + start + " opened " + jar);
                }
                Result left = Isolate.exec(with(isolate, "ps", "-a"), null);
                assertFalse(left.out().contains("isolate-jvm-cache-training-"), java + ": " + left.out());
            } finally {
                Isolate.exec(with(isolate, "rm", "-f", name), null);
            }
        }
    }

    private static boolean contains(Path archive, String className) throws IOException {
        return new String(Files.readAllBytes(archive), StandardCharsets.ISO_8859_1).contains(className);
    }

    /**
     * As root, the training also makes a --network launch, in a network namespace the launcher
     * gives it: the cache holds that launch's classes (the ledger's name is in the archive),
     * and the namespace the start ran in (a scratch one the test makes) has the same
     * interfaces, rules and forwarding afterwards, and isolate keeps no new network state.
     */
    @Test
    void theTrainingsNetworkLaunchLeavesNothingBehind() throws IOException {
        try (TestNetworks networks = new TestNetworks()) {
            String netns = networks.add("train");
            List<String> javas = javas();
            for (String java : javas) {
                Path cache = tmp.resolve("cache-" + javas.indexOf(java));
                String before = networkOf(netns);
                List<String> state = networkState();
                Result first = Isolate.exec(TestNetworks.command(netns,
                        with(rootCommand(java, cache), "-u", "h", "true").toArray(String[]::new)), null);
                assertEquals(0, first.exit(), java + ": " + first);
                assertEquals("", first.err(), java);
                // ip netns exec mounts a sysfs of its own, without cgroups: a launch's cache of that kind.
                Path archive = onlyNamed(cache, "_launch-without-cgroups.jsa");
                assertTrue(new String(Files.readAllBytes(archive), StandardCharsets.ISO_8859_1)
                        .contains("dev/isolate/host/network/Ledger"), java + ": the cache holds the network launch");
                assertEquals(before, networkOf(netns), java + ": the namespace the training started in");
                // None made. One may go: left by a namespace that is gone, whose inode the training's reused.
                List<String> added = new ArrayList<>(networkState());
                added.removeAll(state);
                assertEquals(List.of(), added, java + ": isolate's network state");
            }
        }
    }

    private static String networkOf(String netns) {
        return TestNetworks.run(TestNetworks.command(netns, "ip", "-o", "link").toArray(String[]::new))
                + TestNetworks.run(TestNetworks.command(netns, "ip", "-o", "addr").toArray(String[]::new))
                + TestNetworks.run(TestNetworks.command(netns, "nft", "list", "ruleset").toArray(String[]::new))
                + TestNetworks.run(TestNetworks.command(netns, "cat", "/proc/sys/net/ipv4/ip_forward")
                        .toArray(String[]::new));
    }

    private static List<String> networkState() throws IOException {
        Path directory = Path.of("/run/isolate/network");
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(Path::toString).sorted().toList();
        }
    }

    /**
     * Trains a launch's cache for this java with a first start (or, without one, finds it): the
     * only file of a launch's cache so named.
     */
    private Path only(Path cache, String suffix, String java, String first) throws IOException {
        if (first != null) {
            Run run = asRoot(java, cache);
            assertEquals(new Result(0, "ok\n", ""), run.result(), java + ": " + first + " start");
        }
        return onlyNamed(cache, "_launch" + suffix);
    }

    private static Path onlyNamed(Path cache, String ending) throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            List<Path> named = files.filter(p -> p.getFileName().toString().endsWith(ending)).toList();
            assertEquals(1, named.size(), named.toString());
            return named.get(0);
        }
    }

    private List<String> rootCommand(String java, Path cache) {
        return List.of("env", "ISOLATE_JVM_CACHE=" + cache, "JAVA=" + java, script.toString());
    }

    private Run asRoot(String java, Path cache) {
        return observed(rootCommand(java, cache));
    }

    private static List<String> with(List<String> command, String... args) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(args));
        return all;
    }

    /**
     * Runs COMMAND sh, which prints its parent's pid (the isolate JVM: no PID namespace) and
     * waits, while the test reads that JVM's memory map; then it prints ok.
     */
    private Run observed(List<String> isolate) {
        List<String> command = new ArrayList<>(List.of("env", "--default-signal"));
        command.addAll(with(isolate, "-u", "h", "sh", "-c", "echo $PPID; read line; echo ok"));
        try {
            Process process = new ProcessBuilder(command).directory(Path.of("/tmp").toFile()).start();
            CompletableFuture<String> err = Isolate.readAsync(process.getErrorStream());
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            String pid = Isolate.readLine(out);
            List<String> maps = pid == null ? List.of() : Files.readAllLines(Path.of("/proc", pid.strip(), "maps"));
            try (OutputStream in = process.getOutputStream()) {
                in.write('\n');
            }
            StringBuilder rest = new StringBuilder();
            for (String line = Isolate.readLine(out); line != null; line = Isolate.readLine(out)) {
                rest.append(line).append('\n');
            }
            if (!process.waitFor(Isolate.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            return new Run(new Result(process.exitValue(), rest.toString(), err.get()), maps);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The copy's jar, rebuilt with the copied one's classes and this suffix to its version. */
    private void replaceTheJar(String suffix) throws IOException {
        Path jar = tmp.resolve("program/target/isolate.jar");
        Path original = tmp.resolve("isolate.jar.original");
        if (!Files.exists(original)) {
            Files.copy(jar, original);
        }
        Path replacement = tmp.resolve("isolate.jar.new");
        try (JarFile from = new JarFile(original.toFile())) {
            Manifest manifest = new Manifest(from.getManifest());
            Attributes main = manifest.getMainAttributes();
            main.put(Attributes.Name.IMPLEMENTATION_VERSION, main.getValue(Attributes.Name.IMPLEMENTATION_VERSION) + suffix);
            try (JarOutputStream to = new JarOutputStream(Files.newOutputStream(replacement), manifest)) {
                for (Enumeration<JarEntry> entries = from.entries(); entries.hasMoreElements(); ) {
                    JarEntry entry = entries.nextElement();
                    if (!entry.getName().equals(JarFile.MANIFEST_NAME)) {
                        to.putNextEntry(new JarEntry(entry.getName()));
                        from.getInputStream(entry).transferTo(to);
                        to.closeEntry();
                    }
                }
            }
        }
        Files.setPosixFilePermissions(replacement, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(replacement, jar, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void chmodOrChown(String[] change, Path path) {
        Result r = Isolate.exec(change[0].equals("chown") ? List.of("chown", "-h", change[1], path.toString())
                : List.of("chmod", change[1], path.toString()), null);
        assertEquals(0, r.exit(), r.err());
    }

    private static Object inode(Path file) throws IOException {
        return Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }

    /** This JVM's java (JDK 17 in the suite) and every newer JDK's under /usr/lib/jvm. */
    private static List<String> javas() throws IOException {
        List<String> javas = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> homes = Files.list(jvms)) {
                for (Path home : homes.filter(h -> !Files.isSymbolicLink(h)).sorted(Comparator.naturalOrder()).toList()) {
                    Path release = home.resolve("release");
                    if (Files.isReadable(release) && Files.isExecutable(home.resolve("bin/java"))) {
                        Matcher m = VERSION.matcher(Files.readString(release));
                        if (m.find() && Integer.parseInt(m.group(1)) > Runtime.version().feature()) {
                            javas.add(home.resolve("bin/java").toString());
                        }
                    }
                }
            }
        }
        return javas;
    }
}
