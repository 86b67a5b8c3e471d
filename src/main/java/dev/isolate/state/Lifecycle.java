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
     *              has recorded the end and ended too (or died)
     * @return the containers still running {@link #AFTER_KILL} after SIGKILL
     */
    public static List<ContainerRecord> stop(StateStore store, List<ContainerRecord> containers, Duration grace,
            Consumer<ContainerRecord> ended) {
        List<Stopping> pending = new ArrayList<>();
        for (ContainerRecord container : containers) {
            Stopping stopping = new Stopping(container, true);
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
                ending.put(i, new Stopping(record, false));
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
        /**
         * Settled only once its isolate has ended too, having undone what it made on the host
         * (cgroups, mounts, interfaces), which it does after it records the end: what stop and
         * rm wait for, as docker's do. Otherwise (ps) once the end is recorded.
         */
        private final boolean untilItsIsolateEnds;
        /** When its process was first seen gone: from then on its isolate has AFTER_KILL to record the end. */
        private Optional<Long> goneAt = Optional.empty();

        Stopping(ContainerRecord container, boolean untilItsIsolateEnds) {
            this.container = container;
            this.untilItsIsolateEnds = untilItsIsolateEnds;
        }

        /** A container that is still starting has no process yet: it is only waited for. */
        void signal(int signal) {
            if (container.live()) {
                container.command().ifPresent(process -> Signals.send(process, signal));
            }
        }

        /**
         * The final record, once the process is gone and its isolate has written the end (and,
         * {@link #untilItsIsolateEnds}, ended) or died. The record of the name is this
         * container's while it has its start time: run -d's supervisor keeps it as it takes the
         * name over from its starter; a container started since under the name has another.
         */
        Optional<ContainerRecord> settled(StateStore store, long now) {
            if (goneAt.isEmpty()) {
                if (container.command().map(ProcessIdentity::alive).orElse(false)) {
                    return Optional.empty();
                }
                goneAt = Optional.of(now);
            }
            ContainerRecord record = store.load(container.name())
                    .filter(r -> r.started().equals(container.started())).orElse(container);
            boolean supervising = record.supervisor().alive();
            boolean settled = untilItsIsolateEnds ? !supervising : record.exitStatus().isPresent() || !supervising;
            return settled || now - goneAt.get() >= AFTER_KILL.toNanos() ? Optional.of(record) : Optional.empty();
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
