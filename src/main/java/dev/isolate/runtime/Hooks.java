package dev.isolate.runtime;

import dev.isolate.exit.Failure;
import dev.isolate.sys.ByteStrings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs the hooks of one point of a container's life, in order, each with the container's
 * state on its stdin, as the runtime spec says; a hook's stdout and stderr are kept for the
 * error that names it.
 */
public final class Hooks {
    /** How long a hook's output is still read after it exited (a child it left may hold the pipe open). */
    private static final long OUTPUT_GRACE_MILLISECONDS = 200;
    /** How much of a failed hook's output its error line quotes. */
    private static final int QUOTED = 400;

    private Hooks() {
    }

    /**
     * The hooks isolate-runtime can run as given, checked before anything is made: ProcessBuilder
     * makes argv[0] the path, so a hook whose args[0] is another word is refused rather than run
     * with an argv it did not ask for.
     */
    public static void requireRunnable(String point, List<Hook> hooks) {
        for (Hook hook : hooks) {
            if (!hook.args().isEmpty() && !hook.args().get(0).equals(hook.path())) {
                throw Failure.input("hooks." + point + ": " + hook.path() + ": args[0] \"" + hook.args().get(0)
                        + "\" differs from path: isolate-runtime runs a hook with its path as argv[0] only");
            }
        }
    }

    /**
     * Runs each hook; the first that fails ends the run with an error naming it.
     *
     * @param point the hooks' name in config.json (createRuntime, poststart...), for errors
     * @param state the spec's state of the container, as JSON
     */
    public static void run(String point, List<Hook> hooks, String state) {
        for (Hook hook : hooks) {
            runOne(point, hook, state);
        }
    }

    /** Runs each hook; a failure is reported to {@code warning} and the rest run: poststart and poststop. */
    public static void runWarning(String point, List<Hook> hooks, String state, Consumer<String> warning) {
        for (Hook hook : hooks) {
            try {
                runOne(point, hook, state);
            } catch (Failure failure) {
                warning.accept(failure.getMessage());
            }
        }
    }

    private static void runOne(String point, Hook hook, String state) {
        String what = "hooks." + point + " " + hook.path();
        List<String> command = new ArrayList<>();
        command.add(ByteStrings.decodedByTheJvm(hook.path()));
        hook.args().stream().skip(1).map(ByteStrings::decodedByTheJvm).forEach(command::add);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        hook.env().ifPresent(env -> {
            Map<String, String> environment = builder.environment();
            environment.clear();
            for (String entry : env) {
                int equals = entry.indexOf('=');
                if (equals > 0) {
                    environment.put(ByteStrings.decodedByTheJvm(entry.substring(0, equals)),
                            ByteStrings.decodedByTheJvm(entry.substring(equals + 1)));
                }
            }
        });
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw Failure.step(what + ": " + Failure.reason(e));
        }
        CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(state.getBytes(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            // The hook closed its stdin without reading it all: its exit status tells how it went.
        }
        int status;
        try {
            if (hook.timeout().isPresent()) {
                if (!process.waitFor(hook.timeout().getAsInt(), TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw Failure.step(what + ": timed out after " + hook.timeout().getAsInt() + " s (killed)");
                }
            } else {
                process.waitFor();
            }
            status = process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw Failure.step(what + ": interrupted");
        }
        if (status != 0) {
            String said = said(output).strip();
            throw Failure.step(what + ": exit status " + status + (said.isEmpty() ? "" : ": " + said));
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static String said(CompletableFuture<byte[]> output) {
        try {
            String text = ByteStrings.of(output.get(OUTPUT_GRACE_MILLISECONDS, TimeUnit.MILLISECONDS));
            return text.length() > QUOTED ? text.substring(0, QUOTED) + "..." : text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } catch (ExecutionException | TimeoutException e) {
            return "";
        }
    }
}
