package dev.isolate.host.network;

import dev.isolate.exit.ExitStatus;
import dev.isolate.exit.Failure;
import dev.isolate.host.CallerBytes;
import dev.isolate.host.HostFacts;
import dev.isolate.host.Programs;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.SpawnedProcess;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs nftables' nft, with its commands on stdin in one script, which it carries out as one
 * transaction.
 */
final class Tools {
    private static final Map<String, String> PACKAGES = Map.of("nft", "nftables");

    private Tools() {
    }

    /**
     * Runs the tool with its input on stdin, in a session of its own (SpawnedProcess.run).
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
        Kernel.Result<SpawnedProcess.Outcome> ran = SpawnedProcess.run(resolved, CallerBytes.environ(),
                input.getBytes(StandardCharsets.UTF_8));
        if (!ran.ok()) {
            throw Failure.step(what + ": " + program + ": cannot run it: " + Kernel.get().errorText(ran.errno()));
        }
        SpawnedProcess.Outcome outcome = ran.value();
        int status = ExitStatus.of(outcome.waitStatus());
        if (status != 0) {
            String complaint = new String(outcome.err(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.startsWith("Command failed")).reduce((first, last) -> last)
                    .orElse("exit status " + status);
            throw Failure.step(what + ": " + program + ": " + complaint.strip());
        }
        // A tool that ended well before reading to the end of its commands did not carry them all out.
        if (!outcome.readAllInput()) {
            throw Failure.step(what + ": " + program + ": exited without reading all of its input");
        }
        return new String(outcome.out(), StandardCharsets.UTF_8);
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

    static String nft(String what, String script) {
        return Invocation.nft(what, script).run();
    }

    /** One run of a tool with its input, decided before it is run (or shown by a dry run). */
    record Invocation(String what, List<String> command, String input) {
        Invocation {
            command = List.copyOf(command);
        }

        static Invocation nft(String what, String script) {
            return new Invocation(what, List.of("nft", "-f", "-"), script);
        }

        String run() {
            return Tools.run(what, command, input);
        }

        NetworkChange change() {
            return new NetworkChange(what, lines(), this::run);
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
