package dev.isolate.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the real isolate program, scripts/isolate, as a user would: as root, or as the
 * unprivileged user nobody through setpriv.
 */
final class Isolate {
    static final Path REPO_SCRIPT = Path.of("scripts/isolate").toAbsolutePath();
    static final long TIMEOUT_SECONDS = 60;
    /**
     * nobody with an ordinary PATH (the test's own may hold directories nobody cannot enter,
     * which execvp rightly reports as EACCES) and this JVM's java.
     */
    static final List<String> AS_NOBODY = List.of("env",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "JAVA=" + ProcessHandle.current().info().command().orElse("java"),
            "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
    static final Isolate AS_ROOT = new Isolate(List.of(), REPO_SCRIPT);

    record Result(int exit, String out, String err) {
    }

    private final List<String> prefix;
    private final Path script;

    Isolate(List<String> prefix, Path script) {
        this.prefix = List.copyOf(prefix);
        this.script = script;
    }

    /** isolate run as nobody, from a copy of the program that nobody can read. */
    static Isolate asNobody(Path script) {
        return new Isolate(AS_NOBODY, script);
    }

    /** The same isolate with these NAME=VALUE variables added to its environment. */
    Isolate withEnvironment(String... assignments) {
        List<String> withEnv = new ArrayList<>(List.of("env"));
        withEnv.addAll(List.of(assignments));
        withEnv.addAll(prefix);
        return new Isolate(withEnv, script);
    }

    /** The command line that runs isolate with these arguments. */
    List<String> command(String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.add(script.toString());
        command.addAll(List.of(args));
        return command;
    }

    /** The same as one shell word list, for sh -c. */
    String shellCommand(String... args) {
        return String.join(" ", command(args).stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
    }

    Path script() {
        return script;
    }

    Result run(String... args) {
        return exec(command(args), null);
    }

    Result runWithInput(String input, String... args) {
        return exec(command(args), input);
    }

    Process start(String... args) throws IOException {
        return builder(command(args)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    static Result exec(List<String> command, String input) {
        try {
            Process process = builder(command).start();
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
        } catch (IOException | InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs in /tmp, which every user may enter, whoever owns the checkout, with every signal
     * at its default disposition, as from a terminal: a shell that runs the suite in the
     * background ignores INT and QUIT, which isolate and its command would inherit.
     */
    private static ProcessBuilder builder(List<String> command) {
        List<String> withDefaults = new ArrayList<>(List.of("env", "--default-signal"));
        withDefaults.addAll(command);
        return new ProcessBuilder(withDefaults).directory(Path.of("/tmp").toFile());
    }

    /** The next line a started isolate prints, or a failure once {@link #TIMEOUT_SECONDS} have passed. */
    static String readLine(BufferedReader out) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no line within " + TIMEOUT_SECONDS + " s");
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    static CompletableFuture<String> readAsync(InputStream stream) {
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
