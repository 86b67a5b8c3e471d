package dev.isolate.startup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

/**
 * What a JVM cache was made from, as one line: the JVM's exact version and home, then each
 * jar of the class path with its identity (device, inode, size, modification and change
 * times in nanoseconds). A jar replaced, rewritten in place or touched gets another identity:
 * the change time cannot be set by anyone but the kernel. The JVM itself does not always
 * notice (Temurin 25.0.3 loads an AOT cache whose jar changed: JDK-8377932), so isolate
 * compares the line at every start that uses a cache. Fields are separated by tabs; a path
 * with a tab or a newline in it cannot be written so, and gets no cache.
 */
final class CacheKey {
    private static final char SEPARATOR = '\t';

    private CacheKey() {
    }

    /** The line for these jars, with this JVM's version and home. */
    static String of(List<Path> jars) {
        StringBuilder key = new StringBuilder()
                .append(System.getProperty("java.vm.version")).append(SEPARATOR).append(System.getProperty("java.home"));
        for (Path jar : jars) {
            key.append(SEPARATOR).append(jar).append(SEPARATOR).append(identity(jar));
        }
        return key.toString();
    }

    /** Whether this line is what this JVM and its jars give now. */
    static boolean current(String key) {
        Optional<List<Path>> jars = jars(key);
        return jars.isPresent() && key.equals(of(jars.get()));
    }

    /** The jars a line names, or none when it is not such a line. */
    static Optional<List<Path>> jars(String key) {
        String[] fields = key.split(String.valueOf(SEPARATOR), -1);
        if (fields.length < 4 || fields.length % 2 != 0) {
            return Optional.empty();
        }
        List<Path> jars = new ArrayList<>();
        for (int i = 2; i < fields.length; i += 2) {
            jars.add(Path.of(fields[i]));
        }
        return Optional.of(jars);
    }

    /**
     * Device, inode, size, mtime and ctime. A jar that cannot be looked at (gone, or unreadable)
     * is "missing", so that a key made while it was there never matches.
     */
    static String identity(Path file) {
        try {
            Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,ctime");
            return String.join(":", a.get("dev").toString(), a.get("ino").toString(), a.get("size").toString(),
                    Long.toString(nanoseconds((FileTime) a.get("lastModifiedTime"))),
                    Long.toString(nanoseconds((FileTime) a.get("ctime"))));
        } catch (IOException e) {
            return "missing";
        }
    }

    /**
     * Through its Instant, not FileTime.to(NANOSECONDS): on JDK 17 TimeUnit.convert's switch
     * initialises ChronoUnit, Duration and BigInteger, 5 ms of every start interpreted.
     */
    private static long nanoseconds(FileTime time) {
        Instant instant = time.toInstant();
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    }

    /**
     * The jars this JVM loads classes from: the class path (the jar scripts/isolate starts) and
     * what each jar's manifest adds to it, as the JVM resolves it, beside the jar.
     */
    static List<Path> classPath() throws IOException {
        List<Path> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path jar = Path.of(entry).toAbsolutePath();
            jars.add(jar);
            try (JarFile file = new JarFile(jar.toFile())) {
                String added = file.getManifest() == null ? null
                        : file.getManifest().getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
                if (added != null) {
                    for (String relative : added.trim().split(" +")) {
                        jars.add(jar.resolveSibling(relative));
                    }
                }
            }
        }
        return jars;
    }
}
