package dev.isolate.startup;

import dev.isolate.bundle.BundleConfig;
import dev.isolate.bundle.DefaultConfig;
import dev.isolate.exit.ExitStatus;
import dev.isolate.host.CallerBytes;
import dev.isolate.host.network.HostCleanup;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.SpawnedProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * A training run: the JVM that writes a cache at its exit (scripts/isolate starts it with
 * -XX:ArchiveClassesAtExit or -XX:AOTCacheOutput, its output going nowhere) makes the starts
 * the cache is for, so that it holds the classes they load and, for an AOT cache, how they run.
 * <p>
 * Only those: from JDK 25 on, every class in the cache is loaded and linked before main runs,
 * at every start, so each class a start does not use costs it time and memory. A cache holding
 * every class of isolate's (as one did) took Temurin 25's JVM 20 ms longer to create and 6 MB
 * more RSS than one of a plain launch's classes. So scripts/isolate keeps a cache for each kind
 * of start, told from its first word: launches (isolate COMMAND, run), exec (which joins a
 * container instead of making one: some 350 classes of its own), the commands on named
 * containers (ps, stats, logs, ns, kill, stop, rm: some 330 that --version would carry),
 * isolate's other commands, and isolate-runtime's; a launch then loads none of --help's
 * classes, nor --version any of a launch's. The starts that need a running container are made
 * against one the training starts and removes. Measured in README, Performance.
 */
final class Training {
    /**
     * Set by scripts/isolate: the kind of start the cache is for, {@link #LAUNCHES}, {@link #EXECS},
     * {@link #CONTAINERS}, {@link #COMMANDS} or {@link #RUNTIME}.
     */
    private static final String STARTS = "isolate.jvm-cache.training.starts";
    private static final String LAUNCHES = "launch";
    private static final String EXECS = "exec";
    private static final String CONTAINERS = "containers";
    private static final String COMMANDS = "commands";
    private static final String RUNTIME = "runtime";
    /** isolate's commands on nothing in particular. */
    private static final List<List<String>> COMMAND_STARTS = List.of(
            List.of("--version"),
            List.of("--help"));
    /** Where {@link #EXEC_STARTS} and {@link #NAMED_STARTS} name the container. */
    private static final String NAME = "NAME";
    /** exec's, into a container of the training's. */
    private static final List<List<String>> EXEC_STARTS = List.of(List.of("exec", NAME, "true"));
    /** What a container of the training's, running sleep, is then asked, in the order of its life. */
    private static final List<List<String>> NAMED_STARTS = List.of(
            List.of("ps"),
            List.of("ps", "-a", "--json"),
            List.of("stats"),
            List.of("logs", NAME),
            List.of("ns", NAME),
            List.of("kill", NAME, "CONT"),
            List.of("stop", "-t", "0", NAME), // and so SIGKILL's path too: sleep is not PID 1, TERM ends it
            List.of("ps", "-a"),
            List.of("rm", NAME));
    /** How long the training's containers would live if nothing removed them. */
    private static final String CONTAINER_SECONDS = "60";

    /** The options scripts/isolate gives a training JVM that another JVM of isolate's must not have. */
    private static final List<String> TRAINING_OPTIONS = List.of("-XX:AOTCacheOutput=", "-XX:DumpLoadedClassList=",
            "-Disolate.jvm-cache.");

    /** Set by scripts/isolate to {@link #PRIVATE_NETWORK} when it gave the training a network namespace. */
    static final String NETWORK = "isolate.jvm-cache.training.network";
    static final String PRIVATE_NETWORK = "private";
    /** What --network's bridge, veth pair and rules need of the kernel. */
    private static final List<String> NETWORK_MODULES = List.of("bridge", "veth", "nf_tables");

    private Training() {
    }

    /**
     * Trains, then completes the index (written by the launcher up to its key line) with this
     * JVM's key: an exit status of 0 means it did.
     */
    static int run(Path index, ToIntFunction<String[]> main) {
        try {
            prune(index.getParent());
            // What main does before it executes its arguments, which the workloads below skip:
            // read as the caller's bytes (a training has none).
            CallerBytes.arguments(new String[0]);
            List<Path> jars = CacheKey.classPath();
            String key = CacheKey.of(jars);
            if (!CacheKey.current(key)) {
                return 1; // a path the key cannot hold
            }
            switch (System.getProperty(STARTS, "")) {
                case LAUNCHES -> {
                    attempt(main, List.of("-npumiC", "h", "true"));
                    // isolate's run command, as docker's is written: its parser has a parent (picocli's messages).
                    attempt(main, List.of("run", "-npumiC", "h", "true"));
                    namedStarts(main);
                    rootFilesystemStart(main);
                    networkStart(main);
                }
                case EXECS -> againstContainer(main, List.of("-npumiC", "h"), EXEC_STARTS);
                case COMMANDS -> {
                    for (List<String> start : COMMAND_STARTS) {
                        attempt(main, start);
                    }
                }
                case CONTAINERS -> {
                    attempt(main, List.of("ps"));
                    againstContainer(main, List.of("-n"), NAMED_STARTS);
                }
                case RUNTIME -> {
                    readBundle();
                    trainRuntime(main);
                }
                default -> {
                    return 1;
                }
            }
            Files.writeString(index, key + "\n", StandardCharsets.ISO_8859_1, StandardOpenOption.APPEND);
            return 0;
        } catch (IOException | RuntimeException e) {
            return 1;
        }
    }

    /**
     * A launch into a root filesystem, the boundary CI runs untrusted code in: what it sets up
     * (the overlay, the mounts, the capabilities, the seccomp filter) up to the exec of a
     * command that an empty root does not have (127); the overlay leaves the directory empty.
     * The filter is the one every later start finds in the filter cache, whose path this start
     * then takes too: another JVM (this one's java and options, writing no JVM cache) makes the
     * same launch first, and so compiles the default profile and keeps its filter. Compiled in
     * this JVM, the profile's JSON parser and the rest of the compiler (275 classes) would be
     * in the cache, loaded by every start; without the filter at all, each start with it loaded
     * the 7 classes of a filter cache's lookup from the jar, and a start's first class from the
     * jar opens it, 11 ms on Temurin 25. If that JVM cannot make the filter (no libseccomp),
     * the launch here goes without one.
     */
    private static void rootFilesystemStart(ToIntFunction<String[]> isolate) throws IOException {
        Path root = scratchDirectory();
        try {
            List<String> launch = List.of("-R", root.toString(), "--overlay", "-n", "true");
            boolean filtered = inAnotherJvm(launch) == ExitStatus.NOT_FOUND;
            attempt(isolate, filtered ? launch : List.of("-R", root.toString(), "--overlay", "--security-opt",
                    "seccomp=unconfined", "-n", "true"));
        } finally {
            Files.delete(root);
        }
    }

    /**
     * isolate started with these arguments in a JVM of its own, as this one was started but
     * for the options that make it a training and write a cache: its exit status, or -1.
     */
    private static int inAnotherJvm(List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of("/proc/self/exe").toRealPath().toString());
        // java's name, its options, the main class: a training has no arguments. A loop, not a
        // stream with a method reference, whose class would be in every start's cache.
        List<String> words = CallerBytes.commandLine();
        for (String word : words.subList(1, words.size())) {
            boolean training = false;
            for (String option : TRAINING_OPTIONS) {
                training |= word.startsWith(option);
            }
            if (!training) {
                command.add(word);
            }
        }
        command.addAll(args);
        Kernel.Result<SpawnedProcess.Outcome> ran = SpawnedProcess.run(command, CallerBytes.environ(), new byte[0]);
        return ran.ok() ? ExitStatus.of(ran.value().waitStatus()) : -1;
    }

    /**
     * Starts a named container of the training's own, with these options, running sleep: its
     * name, or null if it could not run (no namespaces for it: the training goes without). It
     * is in the caller's store like any other, under a name no one else's has. run -d and rm -f
     * run in another JVM (see {@link #inAnotherJvm}), lest their classes be this cache's.
     */
    private static String startContainer(List<String> options) throws IOException {
        String name = containerName();
        List<String> run = new ArrayList<>(List.of("run", "-d", "--name", name));
        run.addAll(options);
        run.addAll(List.of("sleep", CONTAINER_SECONDS));
        return inAnotherJvm(run) == 0 ? name : null;
    }

    /**
     * These starts, NAME being its name, against a container of the training's own started with
     * these options ({@link #startContainer}), removed after unless the last start did (rm).
     */
    private static void againstContainer(ToIntFunction<String[]> isolate, List<String> options,
            List<List<String>> starts) throws IOException {
        String name = startContainer(options);
        if (name == null) {
            return;
        }
        boolean removed = false;
        try {
            for (List<String> start : starts) {
                List<String> args = new ArrayList<>();
                for (String word : start) {
                    args.add(word.equals(NAME) ? name : word);
                }
                removed = attempt(isolate, args) == 0 && start.get(0).equals("rm");
            }
        } finally {
            if (!removed) {
                inAnotherJvm(List.of("rm", "-f", name));
            }
        }
    }

    /** A name for a container of the training's, which no one else's has. */
    private static String containerName() {
        return "isolate-jvm-cache-training-" + HexFormat.of().formatHex(Kernel.get().randomBytes(6));
    }

    /**
     * Named launches, whose records the store keeps: one in the foreground, and one detached,
     * whose start here goes as far as its claim of the name (it cannot start its supervisor:
     * Detach takes that JVM's command line from this one's, which has no arguments); both
     * removed after, in another JVM.
     */
    private static void namedStarts(ToIntFunction<String[]> isolate) throws IOException {
        String named = containerName();
        String detached = containerName();
        try {
            attempt(isolate, List.of("run", "--name", named, "-npumiC", "h", "true"));
            attempt(isolate, List.of("run", "-d", "--name", detached, "-npumiC", "h", "true"));
        } finally {
            inAnotherJvm(List.of("rm", "-f", named, detached));
        }
    }

    /**
     * A launch with --network (a bridge, a veth pair, NAT rules, all made by ip and nft): only
     * when scripts/isolate started the training in a network namespace of its own (as root),
     * where all it makes ends with the training, and only with the kernel's modules for it
     * loaded already, so that a training changes nothing on the host. Twice: the first makes
     * the bridge and its rules, which every later launch finds made, and reads from the ledger
     * through other classes (without them in the cache, a launch loaded 20 classes from the jar,
     * 11 ms on Temurin 25). The namespace's state directory, which would outlive it, is removed.
     */
    private static void networkStart(ToIntFunction<String[]> isolate) {
        if (!PRIVATE_NETWORK.equals(System.getProperty(NETWORK)) || !networkModulesLoaded()) {
            return;
        }
        try {
            attempt(isolate, List.of("--network", "-p", "true"));
            attempt(isolate, List.of("--network", "-p", "true"));
        } finally {
            HostCleanup.forgetNamespace();
        }
    }

    /**
     * Whether the kernel has what --network needs without loading a module: it has no modules
     * at all (no /proc/modules), or they are loaded. A module built in shows in /sys/module only
     * if it has parameters, so one may be taken for missing: that only costs the training.
     */
    private static boolean networkModulesLoaded() {
        for (String module : NETWORK_MODULES) {
            if (Files.exists(Path.of("/proc/modules")) && !Files.isDirectory(Path.of("/sys/module", module))) {
                return false;
            }
        }
        return true;
    }

    /**
     * isolate-runtime's commands that an engine calls around every container, against a state
     * directory of the training's own, which they leave as they found it (empty).
     */
    private static void trainRuntime(ToIntFunction<String[]> runtime) throws IOException {
        Path root = scratchDirectory();
        try {
            String dir = root.toString();
            attempt(runtime, List.of("--root", dir, "list"));
            attempt(runtime, List.of("--root", dir, "list", "--format", "json"));
            attempt(runtime, List.of("--root", dir, "list", "-q"));
            attempt(runtime, List.of("--root", dir, "state", "training"));
            attempt(runtime, List.of("--root", dir, "--log-format", "json", "delete", "--force", "training"));
            attempt(runtime, List.of("--root", dir, "kill", "training", "15"));
            attempt(runtime, List.of("features"));
        } finally {
            try (DirectoryStream<Path> left = Files.newDirectoryStream(root)) {
                for (Path entry : left) {
                    Files.deleteIfExists(entry);
                }
            }
            Files.delete(root);
        }
    }

    /**
     * isolate-runtime's first work at create: a bundle's config.json read into a spec. The
     * JSON parser's first parse costs more than the rest of a start otherwise.
     */
    private static void readBundle() throws IOException {
        Path bundle = scratchDirectory();
        try {
            Files.createDirectory(bundle.resolve("rootfs"));
            Files.writeString(bundle.resolve("config.json"), DefaultConfig.json(false), StandardCharsets.UTF_8);
            BundleConfig.read(bundle).spec("training", OptionalInt.empty(), true);
        } finally {
            Files.deleteIfExists(bundle.resolve("config.json"));
            Files.deleteIfExists(bundle.resolve("rootfs"));
            Files.delete(bundle);
        }
    }

    /**
     * A directory of the training's own under java.io.tmpdir, named by getrandom(2) rather than
     * by Files.createTempDirectory, whose SecureRandom would put the security providers' classes
     * in the cache, loaded at every start that never uses them.
     */
    private static Path scratchDirectory() throws IOException {
        String name = "isolate-training-" + HexFormat.of().formatHex(Kernel.get().randomBytes(8));
        return Files.createDirectory(Path.of(System.getProperty("java.io.tmpdir"), name),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /**
     * One workload, and its exit status (-1 for an exception); one that fails (a kernel without
     * a namespace type) still trained what it ran.
     */
    private static int attempt(ToIntFunction<String[]> isolate, List<String> args) {
        try {
            return isolate.applyAsInt(args.toArray(String[]::new));
        } catch (RuntimeException e) {
            return -1; // its output, like the others', goes nowhere
        }
    }

    /**
     * Removes the indexes, and their caches, of builds that are gone: a jar directory that no
     * longer exists (a removed checkout, a test's scratch install) will not start again.
     */
    static void prune(Path directory) throws IOException {
        try (DirectoryStream<Path> indexes = Files.newDirectoryStream(directory, "[!.]*.index")) {
            for (Path other : indexes) {
                Optional<String> lib = JvmCache.line(other, JvmCache.LIB_LINE);
                if (lib.isPresent() && !Files.isDirectory(Path.of(lib.get()))) {
                    Optional<String> cache = JvmCache.line(other, JvmCache.CACHE_OPTION_LINE)
                            .map(option -> option.substring(option.indexOf('=') + 1));
                    Files.deleteIfExists(other);
                    if (cache.isPresent() && directory.equals(Path.of(cache.get()).getParent())) {
                        Files.deleteIfExists(Path.of(cache.get()));
                    }
                }
            }
        }
    }
}
