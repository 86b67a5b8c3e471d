package dev.isolate.host.network;

import dev.isolate.exit.Failure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
     * @throws Failure naming {@code what} and the tool's last line of complaint
     */
    static String run(String what, List<String> command, String input) {
        try {
            Process process = new ProcessBuilder(command).start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            try (var stdin = process.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
            String out = readAll(process.getInputStream());
            int status = process.waitFor();
            if (status != 0) {
                String complaint = err.join().lines().filter(line -> !line.startsWith("Command failed"))
                        .reduce((first, last) -> last).orElse("exit status " + status);
                throw Failure.step(what + ": " + command.get(0) + ": " + complaint.strip());
            }
            return out;
        } catch (IOException e) {
            String program = command.get(0);
            throw Failure.step(what + ": " + program + " is not installed (Debian package "
                    + PACKAGES.getOrDefault(program, program) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Failure.step(what + ": interrupted");
        }
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
        return run(what, List.of("ip", "-batch", "-"), batch);
    }

    static String nft(String what, String script) {
        return run(what, List.of("nft", "-f", "-"), script);
    }

    private static String readAll(InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
