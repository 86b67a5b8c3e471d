package dev.isolate.startup;

import dev.isolate.exit.ExitStatus;
import dev.isolate.sys.ByteStrings;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.SmallFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * The JVM's class-data cache that scripts/isolate starts isolate with: a static CDS archive
 * (JDK 17 to 24) or an AOT cache (JDK 25 on), made by a training run, per user, per JVM and per
 * build. The launcher finds it through an index file, which it checks (owner, mode, no link)
 * before it lets the JVM load anything from the cache, and names to the JVM in the
 * {@value #INDEX} property. The index's lines: the java and the jar directory the launcher
 * knew it by, the JDK's directory that java was (whose version some options depend on), the
 * JVM options it was made with, the JVM option that loads the cache, and the {@link CacheKey}
 * it was made for.
 */
public final class JvmCache {
    /** The index this JVM's cache was found through; absent when it was started without one. */
    static final String INDEX = "isolate.jvm-cache";
    /** Set for a training run: the index it completes with its key, once the workloads ran. */
    static final String TRAINING = "isolate.jvm-cache.training";
    /** The options scripts/isolate adds to load a cache, which a restart without it leaves out. */
    private static final List<String> OPTIONS = List.of("-XX:SharedArchiveFile=", "-XX:AOTCache=", "-D" + INDEX + "=",
            "-XX:+IgnoreUnrecognizedVMOptions");
    static final int LIB_LINE = 1;
    static final int CACHE_OPTION_LINE = 4;
    private static final int KEY_LINE = 5;

    private JvmCache() {
    }

    /**
     * The first thing isolate does. With a cache made for other jars or another JVM (whose
     * classes may be running: the JVM does not always refuse them), the index is removed, so
     * that the next start trains anew, and this JVM starts again without the cache: the same
     * process, with the same arguments. In a training run, runs the training workloads of the
     * cache's kind of start through {@code main} (the program's main, isolate's or
     * isolate-runtime's, without the exit) and exits, so that the JVM writes the cache.
     * {@code args} are main's, which a start again gets as they were.
     */
    public static void check(String[] args, ToIntFunction<String[]> main) {
        String training = System.getProperty(TRAINING);
        if (training != null) {
            // halt, as every start ends: System.exit would also log the exit through the JDK's
            // System.Logger, whose classes the cache would then hold for every start.
            Runtime.getRuntime().halt(Training.run(Path.of(training), main));
        }
        String index = System.getProperty(INDEX);
        if (index == null) {
            return;
        }
        // No lambda or method reference on this path: a training run never takes it, so the
        // cache would not hold its class.
        Optional<String> key = key(Path.of(index));
        if (key.isPresent() && CacheKey.current(key.get())) {
            return;
        }
        try {
            Files.deleteIfExists(Path.of(index));
        } catch (IOException e) {
            // the next start finds it stale again
        }
        int errno = Restart.withoutCache(args.length);
        System.err.println("isolate: cannot start again without its stale JVM cache: " + Kernel.get().errorText(errno));
        System.err.flush();
        Runtime.getRuntime().halt(ExitStatus.SETUP_FAILED);
    }

    /** Whether a JVM option is one of those scripts/isolate adds to load a cache. */
    static boolean startedWith(String option) {
        for (String cacheOption : OPTIONS) {
            if (cacheOption.endsWith("=") ? option.startsWith(cacheOption) : option.equals(cacheOption)) {
                return true;
            }
        }
        return false;
    }

    /** An index file's key line; none for a file that is not an index. */
    static Optional<String> key(Path index) {
        return line(index, KEY_LINE);
    }

    /**
     * Line {@code number} (from 0) of an index, split by hand: Files.readAllLines's reader and
     * decoder took a millisecond of every start, interpreted.
     */
    static Optional<String> line(Path index, int number) {
        String text;
        try {
            text = ByteStrings.of(SmallFiles.bytes(index));
        } catch (IOException e) {
            return Optional.empty();
        }
        int start = 0;
        for (int i = 0; i < number; i++) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                return Optional.empty();
            }
            start = end + 1;
        }
        int end = text.indexOf('\n', start);
        String line = text.substring(start, end < 0 ? text.length() : end);
        return end < 0 && line.isEmpty() ? Optional.empty() : Optional.of(line);
    }
}
