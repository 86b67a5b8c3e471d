package dev.isolate.host.network;

import dev.isolate.exit.ExitStatus;
import dev.isolate.exit.Failure;
import dev.isolate.host.CallerBytes;
import dev.isolate.host.HostFacts;
import dev.isolate.host.Programs;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.MemoryFile;
import dev.isolate.sys.SpawnedProcess;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs iproute2's ip and nftables' nft (and nsenter, to run ip in the container's namespace).
 * Each takes its commands on stdin in one batch, so a launch costs one process per side.
 */
final class Tools {
    private static final Map<String, String> PACKAGES = Map.of("ip", "iproute2", "nft", "nftables",
            "nsenter", "util-linux", "slirp4netns", "slirp4netns");

    private Tools() {
    }

    /**
     * Runs the tool with its input on stdin, its stdout and stderr kept in memory files (no
     * pipe to drain, no thread), in a session of its own (SpawnedProcess).
     *
     * @return what the tool printed
     * @throws Failure naming {@code what} and the tool's last line of complaint, or its exit
     *                 status; "not installed" only when the program is not on PATH
     */
    static String run(String what, List<String> command, String input) {
        String program = command.get(0);
        List<String> resolved = new ArrayList<>(command);
        resolved.set(0, Programs.onPath(program, HostFacts.callerEnvironment()).orElseThrow(() -> Failure.step(what + ": "
                + program + " is not installed (Debian package " + PACKAGES.getOrDefault(program, program) + ")")));
        byte[] commands = input.getBytes(StandardCharsets.UTF_8);
        try (MemoryFile in = memoryFile(what, MemoryFile.holding(program + "-input", commands));
                MemoryFile out = memoryFile(what, MemoryFile.create(program + "-output"));
                MemoryFile err = memoryFile(what, MemoryFile.create(program + "-errors"))) {
            Kernel.Result<SpawnedProcess> started = SpawnedProcess.start(resolved, CallerBytes.environ(), in.fd(),
                    out.fd(), err.fd());
            if (!started.ok()) {
                throw Failure.step(what + ": " + program + ": cannot run it: " + Kernel.get().errorText(started.errno()));
            }
            int status = ExitStatus.of(started.value().waitFor());
            if (status != 0) {
                String complaint = text(what, err).lines().filter(line -> !line.startsWith("Command failed"))
                        .reduce((first, last) -> last).orElse("exit status " + status);
                throw Failure.step(what + ": " + program + ": " + complaint.strip());
            }
            // Its stdin shares the file's offset: a tool that ended well before reading to the
            // end of its commands did not carry them all out.
            if (in.offset() < commands.length) {
                throw Failure.step(what + ": " + program + ": exited without reading all of its input");
            }
            return text(what, out);
        }
    }

    private static MemoryFile memoryFile(String what, Kernel.Result<MemoryFile> made) {
        if (!made.ok()) {
            throw Failure.step(what + ": a memory file for its input or output: " + Kernel.get().errorText(made.errno()));
        }
        return made.value();
    }

    private static String text(String what, MemoryFile file) {
        Kernel.Result<byte[]> contents = file.contents();
        if (!contents.ok()) {
            throw Failure.step(what + ": reading its output: " + Kernel.get().errorText(contents.errno()));
        }
        return new String(contents.value(), StandardCharsets.UTF_8);
    }

    /** For cleanup, where a thing already gone is no failure. */
    static boolean runQuietly(List<String> command, String input) {
        try {
            run("cleanup", command, input);
            return true;
        } catch (Failure e) {
            return false;
        }
    }

    /** ip with its commands in a batch, in isolate's own network namespace. */
    static String ip(String what, String batch) {
        return Invocation.ip(what, batch).run();
    }

    static String nft(String what, String script) {
        return Invocation.nft(what, script).run();
    }

    /** One run of a tool with its input, decided before it is run (or shown by a dry run). */
    record Invocation(String what, List<String> command, String input) {
        Invocation {
            command = List.copyOf(command);
        }

        static Invocation ip(String what, String batch) {
            return new Invocation(what, List.of("ip", "-batch", "-"), batch);
        }

        static Invocation nft(String what, String script) {
            return new Invocation(what, List.of("nft", "-f", "-"), script);
        }

        String run() {
            return Tools.run(what, command, input);
        }

        /** As an administrator would type it: the command, then its input as a here-document. */
        List<String> lines() {
            List<String> lines = new ArrayList<>();
            lines.add(String.join(" ", command) + (input.isEmpty() ? "" : " <<'EOF'"));
            if (!input.isEmpty()) {
                lines.addAll(input.lines().toList());
                lines.add("EOF");
            }
            return lines;
        }
    }
}
