package dev.isolate.state;

import static dev.isolate.linux.Linux.SIGKILL;
import static dev.isolate.linux.Linux.SIGTERM;

import java.time.Duration;
import java.util.Optional;

/** Stopping and killing recorded containers, and waiting for isolate to record how they ended. */
public final class Lifecycle {
    /** How long to wait for a process after SIGKILL, and for its isolate to write the record. */
    private static final Duration AFTER_KILL = Duration.ofSeconds(5);

    private Lifecycle() {
    }

    /** SIGTERM, then SIGKILL after {@code grace}, as docker stop does; returns the final record. */
    public static ContainerRecord stop(StateStore store, ContainerRecord container, Duration grace) {
        Optional<ProcessIdentity> process = container.command();
        if (process.isPresent() && container.live()) {
            Signals.send(process.get(), SIGTERM);
            if (!waitUntilGone(process.get(), grace)) {
                Signals.send(process.get(), SIGKILL);
                waitUntilGone(process.get(), AFTER_KILL);
            }
        }
        return settled(store, container);
    }

    /** The record once the container's isolate has written its exit status, or has died itself. */
    public static ContainerRecord settled(StateStore store, ContainerRecord container) {
        long deadline = System.nanoTime() + AFTER_KILL.toNanos();
        ContainerRecord now = store.load(container.name()).orElse(container);
        while (now.exitStatus().isEmpty() && now.supervisor().alive() && System.nanoTime() < deadline) {
            pause();
            now = store.load(container.name()).orElse(now);
        }
        return now;
    }

    private static boolean waitUntilGone(ProcessIdentity process, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (process.alive()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            pause();
        }
        return true;
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
