package dev.isolate.startup;

import dev.isolate.bundle.BundleConfig;
import dev.isolate.bundle.DefaultConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Enumeration;
import java.util.List;
import java.util.OptionalInt;
import java.util.Optional;
import java.util.function.ToIntFunction;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * A training run: the JVM that writes a cache at its exit (scripts/isolate starts it with
 * -XX:ArchiveClassesAtExit or -XX:AOTCacheOutput, its output going nowhere) first loads
 * every class of isolate's and picocli's, then does what real starts do, so that the cache
 * holds what they load and, for an AOT cache, how they run.
 */
final class Training {
    /** Commands whose help is printed: each builds its part of the command line's model. */
    private static final List<String> COMMANDS = List.of("run", "exec", "ps", "stats", "logs", "stop", "kill", "rm",
            "ns", "lsns", "network", "gc", "help", "version");
    /** Launches planned and printed, then one made: nothing of them is kept. */
    private static final List<List<String>> LAUNCHES = List.of(
            List.of("--dry-run", "-npumiC", "h", "true"),
            List.of("--dry-run", "--json", "-npumiC", "h", "-e", "A=1", "-w", "/", "true"),
            List.of("--dry-run", "-v", "-pU", "--init", "true"),
            List.of("--dry-run", "--memory", "64m", "--memory-swap", "128m", "--cpu-shares", "512", "--cpuset-cpus",
                    "0", "-npumiC", "h", "true"),
            List.of("-npumiC", "h", "true"),
            // Refused without privilege on cgroup v1, after the checks a limited launch makes.
            List.of("--memory", "64m", "--pids-limit", "1000", "--cpus", "1", "-npumiC", "h", "true"));
    private static final List<String> PACKAGES = List.of("dev/isolate/", "picocli/");

    private Training() {
    }

    /**
     * Trains, then completes the index (written by the launcher up to its key line) with this
     * JVM's key: an exit status of 0 means it did.
     */
    static int run(Path index, ToIntFunction<String[]> isolate, ToIntFunction<String[]> runtime) {
        try {
            prune(index.getParent());
            List<Path> jars = CacheKey.classPath();
            String key = CacheKey.of(jars);
            if (!CacheKey.current(key)) {
                return 1; // a path the key cannot hold
            }
            loadClasses(jars.get(0));
            attempt(isolate, List.of("--version"));
            attempt(isolate, List.of("--help"));
            for (String command : COMMANDS) {
                attempt(isolate, List.of(command, "--help"));
            }
            for (List<String> launch : LAUNCHES) {
                attempt(isolate, launch);
            }
            readBundle();
            trainRuntime(runtime);
            Files.writeString(index, key + "\n", StandardCharsets.ISO_8859_1, StandardOpenOption.APPEND);
            return 0;
        } catch (IOException | RuntimeException e) {
            return 1;
        }
    }

    /**
     * isolate-runtime's commands that an engine calls around every container, against a state
     * directory of the training's own, which they leave as they found it (empty).
     */
    private static void trainRuntime(ToIntFunction<String[]> runtime) throws IOException {
        Path root = Files.createTempDirectory("isolate-training");
        try {
            String dir = root.toString();
            attempt(runtime, List.of("--root", dir, "list"));
            attempt(runtime, List.of("--root", dir, "list", "--format", "json"));
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
        Path bundle = Files.createTempDirectory("isolate-training");
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

    /** One workload; one that fails (a kernel without a namespace type) still trained what it ran. */
    private static void attempt(ToIntFunction<String[]> isolate, List<String> args) {
        try {
            isolate.applyAsInt(args.toArray(String[]::new));
        } catch (RuntimeException e) {
            // its output, like the others', goes nowhere
        }
    }

    /**
     * Loads, without initializing, every class of isolate's and picocli's in isolate's jar, so
     * that the cache has the classes of paths the workloads do not take.
     */
    static void loadClasses(Path jar) throws IOException {
        ClassLoader loader = Training.class.getClassLoader();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                String name = entries.nextElement().getName();
                if (name.endsWith(".class") && PACKAGES.stream().anyMatch(name::startsWith)) {
                    try {
                        Class.forName(name.substring(0, name.length() - ".class".length()).replace('/', '.'), false,
                                loader);
                    } catch (ClassNotFoundException | LinkageError e) {
                        // what needs a build-time library (the man page writer) stays out
                    }
                }
            }
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
