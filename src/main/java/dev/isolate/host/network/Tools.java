package dev.isolate.host.network;

import dev.isolate.exit.Failure;
import dev.isolate.host.HostFacts;
import dev.isolate.host.Programs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

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
     * @return what the tool printed
     * @throws Failure naming {@code what} and the tool's last line of complaint, or its exit
     *                 status; "not installed" only when the program is not on PATH
     */
    static String run(String what, List<String> command, String input) {
        String program = command.get(0);
        List<String> resolved = new ArrayList<>(command);
        resolved.set(0, Programs.onPath(program, HostFacts.callerEnvironment()).orElseThrow(() -> Failure.step(what + ": "
                + program + " is not installed (Debian package " + PACKAGES.getOrDefault(program, program) + ")")));
        Process process;
        try {
            process = new ProcessBuilder(resolved).start();
        } catch (IOException e) {
            throw Failure.step(what + ": " + program + ": cannot run it: " + startFailure(e));
        }
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        // A tool that stops at a bad line exits without reading the rest: its complaint says more
        // than the broken pipe, so it is waited for before this is reported.
        IOException unwritten = null;
        try (var stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            unwritten = e;
        }
        String out = readAll(process.getInputStream());
        int status;
        try {
            status = process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw Failure.step(what + ": interrupted");
        }
        if (status != 0) {
            String complaint = err.join().lines().filter(line -> !line.startsWith("Command failed"))
                    .reduce((first, last) -> last).orElse("exit status " + status);
            throw Failure.step(what + ": " + program + ": " + complaint.strip());
        }
        if (unwritten != null) {
            throw Failure.step(what + ": " + program + ": writing its input: " + Failure.reason(unwritten));
        }
        return out;
    }

    /** ProcessBuilder's reason is its cause's message, after the errno's number. */
    private static String startFailure(IOException e) {
        return e.getCause() instanceof IOException cause && cause.getMessage() != null
                ? cause.getMessage().replaceFirst("^error=\\d+, ", "") : Failure.reason(e);
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

    private static String readAll(InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
