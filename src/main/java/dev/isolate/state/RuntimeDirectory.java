package dev.isolate.state;

import dev.isolate.exit.Failure;
import dev.isolate.sys.ByteStrings;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where isolate keeps what lasts only as long as the machine runs: state, overlay scratch space. */
public final class RuntimeDirectory {
    /** An owned entry's name: its isolate's pid and start time, then what the user of the entry adds. */
    private static final Pattern OWNED_NAME = Pattern.compile("(\\d+)-(\\d+)(\\..*)?");

    /**
     * Subdirectories whose entries belong each to one isolate process and are named after it:
     * an entry outlives its isolate only when that was killed, and is removed by the next
     * isolate that makes one there, or by isolate gc.
     */
    public enum Owned {
        /** Empty directories that the child covers with an overlay's tmpfs. */
        OVERLAY,
        /** The resolv.conf of --dns. */
        RESOLV,
        /** slirp4netns's API socket and log. */
        SLIRP;

        String directory() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private RuntimeDirectory() {
    }

    /**
     * /run/isolate for root; $XDG_RUNTIME_DIR/isolate, else a per-user directory in /tmp, for
     * others. The environment holds byte strings (sys.ByteStrings): a directory this JVM
     * cannot name is passed over like a relative one.
     */
    static Path of(long uid, Map<String, String> environment) {
        if (uid == 0) {
            return Path.of("/run/isolate");
        }
        Optional<Path> runtime = Optional.ofNullable(environment.get("XDG_RUNTIME_DIR")).flatMap(ByteStrings::javaPath)
                .filter(Path::isAbsolute);
        if (runtime.isPresent()) {
            return runtime.get().resolve("isolate");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "isolate-" + uid);
    }

    /**
     * {@code name} inside the runtime directory, both created (mode 700) if need be. Under a
     * shared /tmp someone else may have made the runtime directory first, or put a link
     * there: then it is refused.
     */
    public static Path subdirectory(long uid, Map<String, String> environment, String name) {
        Path base = of(uid, environment);
        try {
            var privateMode = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
            if (!Files.isDirectory(base, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(base, privateMode);
            }
            int owner = (Integer) Files.getAttribute(base, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (owner != uid || Files.isSymbolicLink(base)) {
                throw Failure.input("runtime directory " + base + ": belongs to someone else");
            }
            return Files.createDirectories(base.resolve(name), privateMode);
        } catch (IOException e) {
            throw Failure.step("runtime directory " + base + ": " + Failure.reason(e));
        }
    }

    /**
     * The name of this isolate's own entry in {@code kind}'s subdirectory, "PID-STARTTIME",
     * to be made by the caller, which may add a suffix that starts with a dot. Entries there
     * whose isolate has ended are removed first.
     */
    public static Path ownEntry(long uid, Map<String, String> environment, Owned kind) {
        sweep(subdirectory(uid, environment, kind.directory()));
        return ownEntryPath(uid, environment, kind);
    }

    /** Where {@link #ownEntry} puts this isolate's entry, made nowhere: what a dry run shows. */
    public static Path ownEntryPath(long uid, Map<String, String> environment, Owned kind) {
        ProcessIdentity self = ProcessIdentity.self();
        return of(uid, environment).resolve(kind.directory()).resolve(self.pid() + "-" + self.startTime());
    }

    /**
     * {@code name} inside the runtime directory, made nowhere, for reading what is there (a
     * dry run); a runtime directory that exists and is someone else's is refused, as by
     * {@link #subdirectory}.
     */
    public static Path existing(long uid, Map<String, String> environment, String name) {
        Path base = of(uid, environment);
        try {
            if (Files.exists(base, LinkOption.NOFOLLOW_LINKS)) {
                int owner = (Integer) Files.getAttribute(base, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                if (owner != uid || Files.isSymbolicLink(base)) {
                    throw Failure.input("runtime directory " + base + ": belongs to someone else");
                }
            }
        } catch (IOException e) {
            throw Failure.step("runtime directory " + base + ": " + Failure.reason(e));
        }
        return base.resolve(name);
    }

    /**
     * isolate gc: removes the entries of every {@link Owned} subdirectory whose isolate has
     * ended.
     *
     * @return the entries removed
     */
    public static List<Path> sweep(long uid, Map<String, String> environment) {
        List<Path> removed = new ArrayList<>();
        for (Owned kind : Owned.values()) {
            removed.addAll(sweep(subdirectory(uid, environment, kind.directory())));
        }
        return removed;
    }

    private static List<Path> sweep(Path directory) {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                if (owner(entry.getFileName().toString()).filter(owner -> !owner.alive()).isPresent()) {
                    try {
                        if (Files.deleteIfExists(entry)) {
                            removed.add(entry);
                        }
                    } catch (IOException notEmpty) {
                        // a directory something was put in is not isolate's to empty
                    }
                }
            }
        } catch (IOException e) {
            throw Failure.step("runtime directory " + directory + ": " + Failure.reason(e));
        }
        return removed;
    }

    /** The isolate an entry is named after, if it is named after one. */
    static Optional<ProcessIdentity> owner(String name) {
        Matcher m = OWNED_NAME.matcher(name);
        try {
            return m.matches() ? Optional.of(new ProcessIdentity(Long.parseLong(m.group(1)),
                    Long.parseLong(m.group(2)))) : Optional.empty();
        } catch (NumberFormatException tooLong) {
            return Optional.empty();
        }
    }
}
