package dev.isolate.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the real isolate program, scripts/isolate, as a user would. */
final class Isolate {
    static final Path SCRIPT = Path.of("scripts/isolate").toAbsolutePath();
    static final long TIMEOUT_SECONDS = 60;

    record Result(int exit, String out, String err) {
    }

    private Isolate() {
    }

    static Result run(String... args) {
        return runWithInput(null, args);
    }

    static Result runWithInput(String input, String... args) {
        List<String> command = new ArrayList<>();
        command.add(SCRIPT.toString());
        command.addAll(List.of(args));
        return exec(command, input);
    }

    static Result exec(List<String> command, String input) {
        try {
            Process process = new ProcessBuilder(command).start();
            CompletableFuture<String> out = readAsync(process.getInputStream());
            CompletableFuture<String> err = readAsync(process.getErrorStream());
            if (input != null) {
                process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            return new Result(process.exitValue(), out.get(), err.get());
        } catch (IOException | InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    static Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(SCRIPT.toString());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    static CompletableFuture<String> readAsync(java.io.InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static void kill(long pid, String signal) {
        Result r = exec(List.of("kill", "-s", signal, Long.toString(pid)), null);
        if (r.exit() != 0) {
            throw new AssertionError("kill -s " + signal + " " + pid + ": " + r.err());
        }
    }
}
