package dev.isolate.state;

import static dev.isolate.linux.Linux.SIGKILL;
import static dev.isolate.linux.Linux.SIGTERM;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Stopping recorded containers, and waiting for isolate to record how they ended. */
public final class Lifecycle {
    /** How long to wait for a process after SIGKILL, and for its isolate to write the record. */
    private static final Duration AFTER_KILL = Duration.ofSeconds(5);

    private Lifecycle() {
    }

    /**
     * docker stop of several containers at once: SIGTERM to each, one grace period for all of
     * them together, then SIGKILL to those still running. Stopping them one after the other
     * would make the grace periods add up.
     *
     * @param ended gets each container's final record as soon as it has ended and its isolate
     *              has recorded the end (or has died itself)
     * @return the containers still running {@link #AFTER_KILL} after SIGKILL
     */
    public static List<ContainerRecord> stop(StateStore store, List<ContainerRecord> containers, Duration grace,
            Consumer<ContainerRecord> ended) {
        List<Stopping> pending = new ArrayList<>();
        for (ContainerRecord container : containers) {
            Stopping stopping = new Stopping(container);
            stopping.signal(SIGTERM);
            pending.add(stopping);
        }
        long now = System.nanoTime();
        long killAt = now + grace.toNanos();
        Optional<Long> giveUpAt = Optional.empty();
        List<ContainerRecord> stuck = new ArrayList<>();
        while (true) {
            for (Stopping stopping : List.copyOf(pending)) {
                stopping.settled(store, now).ifPresent(record -> {
                    pending.remove(stopping);
                    ended.accept(record);
                });
                if (!stopping.gone() && giveUpAt.filter(at -> System.nanoTime() >= at).isPresent()) {
                    pending.remove(stopping);
                    stuck.add(stopping.container);
                }
            }
            if (pending.isEmpty()) {
                return stuck;
            }
            if (giveUpAt.isEmpty() && System.nanoTime() >= killAt) {
                pending.forEach(stopping -> stopping.signal(SIGKILL));
                giveUpAt = Optional.of(System.nanoTime() + AFTER_KILL.toNanos());
            }
            pause();
            now = System.nanoTime();
        }
    }

    /**
     * The records as their isolates are about to leave them: a container whose command has
     * ended while its isolate, alive, has not yet written how (the moment between its reaping
     * and the record's rename) is read again until it has, or until {@link #AFTER_KILL} has
     * passed, instead of being shown as ended unseen. The others are as given.
     */
    public static List<ContainerRecord> recorded(StateStore store, List<ContainerRecord> containers) {
        List<ContainerRecord> records = new ArrayList<>(containers);
        Map<Integer, Stopping> ending = new LinkedHashMap<>();
        for (int i = 0; i < records.size(); i++) {
            ContainerRecord record = records.get(i);
            if (record.exitStatus().isEmpty() && record.command().isPresent() && !record.live()
                    && record.supervisor().alive()) {
                ending.put(i, new Stopping(record));
            }
        }
        long now = System.nanoTime();
        while (!ending.isEmpty()) {
            for (Iterator<Map.Entry<Integer, Stopping>> i = ending.entrySet().iterator(); i.hasNext();) {
                Map.Entry<Integer, Stopping> entry = i.next();
                Optional<ContainerRecord> settled = entry.getValue().settled(store, now);
                if (settled.isPresent()) {
                    records.set(entry.getKey(), settled.get());
                    i.remove();
                }
            }
            if (!ending.isEmpty()) {
                pause();
                now = System.nanoTime();
            }
        }
        return records;
    }

    /** One container on its way out. */
    private static final class Stopping {
        private final ContainerRecord container;
        /** When its process was first seen gone: from then on its isolate has AFTER_KILL to record the end. */
        private Optional<Long> goneAt = Optional.empty();

        Stopping(ContainerRecord container) {
            this.container = container;
        }

        /** A container that is still starting has no process yet: it is only waited for. */
        void signal(int signal) {
            if (container.live()) {
                container.command().ifPresent(process -> Signals.send(process, signal));
            }
        }

        /** The final record, once the process is gone and its isolate has written the end or died. */
        Optional<ContainerRecord> settled(StateStore store, long now) {
            if (goneAt.isEmpty()) {
                if (container.command().map(ProcessIdentity::alive).orElse(false)) {
                    return Optional.empty();
                }
                goneAt = Optional.of(now);
            }
            ContainerRecord record = store.load(container.name()).orElse(container);
            boolean recorded = record.exitStatus().isPresent() || !record.supervisor().alive();
            return recorded || now - goneAt.get() >= AFTER_KILL.toNanos() ? Optional.of(record) : Optional.empty();
        }

        /** Whether its process has been seen gone (or it never had one). */
        boolean gone() {
            return goneAt.isPresent();
        }
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
