package dev.isolate.state;

import dev.isolate.spec.SpecException;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Named containers, one directory each under the runtime directory's containers/, holding
 * one record file that is only ever replaced whole (written aside, then renamed).
 */
public final class StateStore {
    /** docker's rule: a letter or digit, then letters, digits, '_', '.' or '-'. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}");
    private static final String RECORD = "record";

    private final Path containers;

    public StateStore(Path containers) {
        this.containers = containers;
    }

    public static StateStore of(long uid, Map<String, String> environment) {
        return new StateStore(RuntimeDirectory.subdirectory(uid, environment, "containers"));
    }

    public static String requireValidName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new SpecException("name \"" + name + "\": use up to 64 letters, digits, '_', '.' and '-',"
                    + " starting with a letter or digit");
        }
        return name;
    }

    /**
     * Takes the name for a new container: mkdir is atomic, so of two isolates only one gets
     * it. An exited container's name is taken over; a live one's is refused.
     */
    public void claim(ContainerRecord starting) {
        String name = starting.name();
        try {
            while (true) {
                try {
                    Files.createDirectory(containers.resolve(name));
                    save(starting);
                    return;
                } catch (FileAlreadyExistsException taken) {
                    Optional<ContainerRecord> holder = load(name); // empty: another isolate is claiming it
                    if (holder.isEmpty() || holder.get().live()) {
                        throw new SpecException("name \"" + name + "\": in use by a running container"
                                + holder.flatMap(ContainerRecord::command).map(p -> " (pid " + p.pid() + ")")
                                        .orElse(""));
                    }
                    remove(name);
                }
            }
        } catch (IOException e) {
            throw new SpecException("state directory " + containers + ": " + e.getMessage());
        }
    }

    public void save(ContainerRecord record) {
        Path dir = containers.resolve(record.name());
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
        p.setProperty("started", record.started().toString());
        record.exitStatus().ifPresent(status -> p.setProperty("exit", Integer.toString(status)));
        try {
            Path temporary = Files.createTempFile(dir, ".record", "");
            try (Writer out = Files.newBufferedWriter(temporary)) {
                p.store(out, null);
            }
            Files.move(temporary, dir.resolve(RECORD), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SpecException("state of " + record.name() + ": " + e.getMessage());
        }
    }

    public Optional<ContainerRecord> load(String name) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(containers.resolve(name).resolve(RECORD))) {
            p.load(in);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new SpecException("state of " + name + ": " + e.getMessage());
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
                Instant.parse(p.getProperty("started")),
                Optional.ofNullable(p.getProperty("exit")).map(Integer::parseInt)));
    }

    /** Every container on record, oldest first. */
    public List<ContainerRecord> all() {
        List<ContainerRecord> records = new ArrayList<>();
        if (!Files.isDirectory(containers)) {
            return records;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(containers)) {
            for (Path dir : dirs) {
                load(dir.getFileName().toString()).ifPresent(records::add);
            }
        } catch (IOException e) {
            throw new SpecException("state directory " + containers + ": " + e.getMessage());
        }
        records.sort(Comparator.comparing(ContainerRecord::started).thenComparing(ContainerRecord::name));
        return records;
    }

    /** Where a detached container's output goes: its isolate's and its command's. */
    public Path log(String name) {
        return containers.resolve(name).resolve("log");
    }

    /** The container of this name, or a one-line error. */
    public ContainerRecord get(String name) {
        return load(name).orElseThrow(() -> new SpecException("no container named \"" + name + "\""));
    }

    public void remove(String name) {
        Path dir = containers.resolve(name);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (NoSuchFileException gone) {
            // removed by someone else meanwhile
        } catch (IOException e) {
            throw new SpecException("state of " + name + ": " + e.getMessage());
        }
    }
}
