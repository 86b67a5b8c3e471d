package dev.isolate.state;

import dev.isolate.exit.Failure;
import dev.isolate.step.SocketFilter;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Named containers, one directory each under the runtime directory's containers/, holding
 * one record file that is only ever replaced whole (written aside, then renamed), so a
 * reader never sees half of one.
 *
 * <p>Who holds a name changes only under the store's lock: a claim, a takeover of an exited
 * container's name, a removal. A record is written only by the isolate that holds the name
 * (its supervisor), and only while it still does, so a name is never held twice and is
 * always reclaimable: a directory without a record, left by an isolate killed while it
 * claimed the name, is taken over like an exited container's.
 */
public final class StateStore {
    /** docker's rule: a letter or digit, then letters, digits, '_', '.' or '-'. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}");
    private static final String RECORD = "record";
    /** Cannot be a container's name: those start with a letter or digit. */
    private static final String LOCK = ".lock";
    private static final String CONTAINERS = "containers";

    private final Path containers;

    public StateStore(Path containers) {
        this.containers = containers;
    }

    public static StateStore of(long uid, Map<String, String> environment) {
        return new StateStore(RuntimeDirectory.subdirectory(uid, environment, CONTAINERS));
    }

    /** The store as it is, made nowhere: for reading only (a dry run); one that does not exist holds nothing. */
    public static StateStore existing(long uid, Map<String, String> environment) {
        return new StateStore(RuntimeDirectory.existing(uid, environment, CONTAINERS));
    }

    /** Where the record of a container of this name is kept. */
    public Path record(String name) {
        return directory(name).resolve(RECORD);
    }

    /** @throws Failure when a live container holds the name, which {@link #claim} would refuse */
    public void requireClaimable(String name) {
        Optional<ContainerRecord> holder = load(name);
        if (holder.isPresent() && holder.get().live()) {
            throw Failure.input("name \"" + name + "\": in use by a running container"
                    + holder.get().command().map(p -> " (pid " + p.pid() + ")").orElse(""));
        }
    }

    /**
     * The one rule for every NAME isolate is given, run --name's and every other command's:
     * a name that passes it is one file name, never a path.
     */
    public static String requireValidName(String name) {
        if (!isName(name)) {
            throw Failure.input("\"" + name + "\": not a container name (up to 64 letters, digits, '_', '.'"
                    + " and '-', starting with a letter or digit)");
        }
        return name;
    }

    /** NAME|PID as exec and ns take it: digits are a pid, anything else must be a name. */
    public static String requireValidTarget(String target) {
        return isPid(target) ? target : requireValidName(target);
    }

    private static boolean isName(String name) {
        return NAME.matcher(name).matches();
    }

    private static boolean isPid(String target) {
        return !target.isEmpty() && target.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** The directory of a container: the only place a path is made from a name, after the rule. */
    private Path directory(String name) {
        return containers.resolve(requireValidName(name));
    }

    /**
     * Takes the name for a new container. An exited container's name (or one whose claim
     * never finished) is taken over; a live one's is refused.
     */
    public void claim(ContainerRecord starting) {
        String name = starting.name();
        locked(() -> {
            Path dir = directory(name);
            if (Files.isDirectory(dir)) {
                requireClaimable(name);
                deleteTree(dir);
            }
            try {
                Files.createDirectory(dir);
            } catch (IOException e) {
                throw Failure.step("state directory " + containers + ": " + Failure.reason(e));
            }
            write(starting);
            return null;
        });
    }

    /**
     * Replaces the record of a container this isolate holds the name of: {@code holder}'s
     * supervisor must still be the one on record.
     *
     * @return false when the name was removed or taken over meanwhile (nothing is written)
     */
    public boolean replace(ContainerRecord holder, ContainerRecord record) {
        if (!holder.name().equals(record.name())) {
            throw new IllegalArgumentException("a record keeps its name");
        }
        return locked(() -> {
            if (!holds(holder)) {
                return false;
            }
            write(record);
            return true;
        });
    }

    /** {@link #replace} of a record by its own next version: same name, same supervisor. */
    public boolean save(ContainerRecord record) {
        return replace(record, record);
    }

    /**
     * Removes a container's record if {@code holder}'s supervisor still holds the name.
     *
     * @return false when it does not
     */
    public boolean remove(ContainerRecord holder) {
        return locked(() -> {
            if (!holds(holder)) {
                return false;
            }
            deleteTree(directory(holder.name()));
            return true;
        });
    }

    /**
     * Forgets the name unless a live container holds it: an exited container, or a directory
     * whose claim never finished.
     *
     * @return false when nothing had the name
     * @throws Failure when a live container holds it
     */
    public boolean forget(String name) {
        return locked(() -> {
            Path dir = directory(name);
            if (!Files.isDirectory(dir)) {
                return false;
            }
            Optional<ContainerRecord> holder = load(name);
            if (holder.isPresent() && holder.get().live()) {
                throw Failure.input(name + ": running: stop it first, or use rm -f");
            }
            deleteTree(dir);
            return true;
        });
    }

    private boolean holds(ContainerRecord holder) {
        return load(holder.name()).map(current -> current.supervisor().equals(holder.supervisor())).orElse(false);
    }

    private void write(ContainerRecord record) {
        Path dir = directory(record.name());
        try {
            Path temporary = Files.createTempFile(dir, ".record", "");
            try (Writer out = Files.newBufferedWriter(temporary)) {
                out.write(text(record));
            }
            Files.move(temporary, dir.resolve(RECORD), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw Failure.step("state of " + record.name() + ": " + Failure.reason(e));
        }
    }

    /** A record as its file holds it (a properties file, without the date comment). */
    public static String text(ContainerRecord record) {
        Properties p = new Properties();
        p.setProperty("name", record.name());
        record.command().ifPresent(c -> {
            p.setProperty("command.pid", Long.toString(c.pid()));
            p.setProperty("command.start", Long.toString(c.startTime()));
        });
        p.setProperty("supervisor.pid", Long.toString(record.supervisor().pid()));
        p.setProperty("supervisor.start", Long.toString(record.supervisor().startTime()));
        p.setProperty("namespaces", String.join(",", record.namespaces()));
        for (int i = 0; i < record.argv().size(); i++) {
            p.setProperty("argv." + i, record.argv().get(i));
        }
        p.setProperty("started", IsoInstant.format(record.started()));
        record.exitStatus().ifPresent(status -> p.setProperty("exit", Integer.toString(status)));
        record.seccomp().ifPresent(filter -> p.setProperty("seccomp",
                Base64.getEncoder().encodeToString(filter.instructions())));
        if (!record.cgroups().isEmpty()) {
            p.setProperty("cgroups", String.join("\n", record.cgroups()));
        }
        if (record.outOfMemory()) {
            p.setProperty("oom", "true");
        }
        // Properties.store would write a date comment first, and Date.toString loads the time
        // zone data and its names: 20-40 ms of every named launch. These are the lines store
        // writes, with its escapes and, as from JDK 18 on, sorted by key; load reads them back.
        StringBuilder text = new StringBuilder();
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            escaped(text, key, true).append('=');
            escaped(text, p.getProperty(key), false).append('\n');
        }
        return text.toString();
    }

    /** What Properties.store writes for a key or value to a Writer (no \\u escapes: the file's charset carries every char). */
    private static StringBuilder escaped(StringBuilder out, String text, boolean isKey) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case ' ' -> out.append(i == 0 || isKey ? "\\ " : " ");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\f' -> out.append("\\f");
                case '=', ':', '#', '!' -> out.append('\\').append(c);
                default -> out.append(c);
            }
        }
        return out;
    }

    public Optional<ContainerRecord> load(String name) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(directory(name).resolve(RECORD))) {
            p.load(in);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw Failure.step("state of " + name + ": " + Failure.reason(e));
        }
        List<String> argv = new ArrayList<>();
        for (int i = 0; p.containsKey("argv." + i); i++) {
            argv.add(p.getProperty("argv." + i));
        }
        Optional<ProcessIdentity> command = Optional.ofNullable(p.getProperty("command.pid")).map(pid ->
                new ProcessIdentity(Long.parseLong(pid), Long.parseLong(p.getProperty("command.start"))));
        String namespaces = p.getProperty("namespaces", "");
        return Optional.of(new ContainerRecord(p.getProperty("name"), command,
                new ProcessIdentity(Long.parseLong(p.getProperty("supervisor.pid")),
                        Long.parseLong(p.getProperty("supervisor.start"))),
                namespaces.isEmpty() ? List.of() : List.of(namespaces.split(",")), argv,
                IsoInstant.parse(p.getProperty("started")),
                Optional.ofNullable(p.getProperty("exit")).map(Integer::parseInt),
                Optional.ofNullable(p.getProperty("seccomp")).map(bpf -> new SocketFilter(Base64.getDecoder()
                        .decode(bpf))),
                p.containsKey("cgroups") ? List.of(p.getProperty("cgroups").split("\n")) : List.of(),
                Boolean.parseBoolean(p.getProperty("oom"))));
    }

    /** Every container on record, oldest first. */
    public List<ContainerRecord> all() {
        List<ContainerRecord> records = new ArrayList<>();
        if (!Files.isDirectory(containers)) {
            return records;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(containers)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (isName(name)) {
                    load(name).ifPresent(records::add);
                }
            }
        } catch (IOException e) {
            throw Failure.step("state directory " + containers + ": " + Failure.reason(e));
        }
        // Comparator.comparing's own lambdas are spun at each start (the JVM cache keeps only isolate's).
        records.sort((a, b) -> {
            int byStart = a.started().compareTo(b.started());
            return byStart != 0 ? byStart : a.name().compareTo(b.name());
        });
        return records;
    }

    /** Where a detached container's output goes: its isolate's and its command's. */
    public Path log(String name) {
        return directory(name).resolve("log");
    }

    /** The container of this name, or a one-line error. */
    public ContainerRecord get(String name) {
        return load(name).orElseThrow(() -> Failure.input("no container named \"" + name + "\""));
    }

    /** The process of a running named container, or a one-line error. */
    public ProcessIdentity running(String name) {
        ContainerRecord container = get(name);
        if (!container.live() || container.command().isEmpty()) {
            throw Failure.input(name + ": not running");
        }
        return container.command().get();
    }

    /**
     * NAME|PID as exec and ns take it: a running named container's process, or the process
     * with that pid now.
     */
    public ProcessIdentity resolve(String target) {
        if (isPid(target)) {
            try {
                return ProcessIdentity.of(Long.parseLong(target))
                        .orElseThrow(() -> Failure.input("process " + target + ": no such process"));
            } catch (NumberFormatException e) {
                throw Failure.input("process " + target + ": no such process");
            }
        }
        return running(target);
    }

    /**
     * Runs {@code work} holding the store's lock. File locks belong to the whole JVM, so the
     * threads of one isolate also take turns, on the class.
     */
    private <T> T locked(Supplier<T> work) {
        synchronized (StateStore.class) {
            try (FileChannel channel = FileChannel.open(containers.resolve(LOCK), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
                return work.get();
            } catch (IOException e) {
                throw Failure.step("state directory " + containers + ": " + Failure.reason(e));
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (NoSuchFileException gone) {
            // removed already
        } catch (IOException e) {
            throw Failure.step("state of " + dir.getFileName() + ": " + Failure.reason(e));
        }
    }
}
