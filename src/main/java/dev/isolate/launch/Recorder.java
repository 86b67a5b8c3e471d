package dev.isolate.launch;

import dev.isolate.exit.ExitStatus;
import dev.isolate.exit.Failure;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Namespace;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.ProcessIdentity;
import dev.isolate.state.StateStore;
import dev.isolate.step.SocketFilter;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Keeps a named container's record up to date through its life, as the isolate that supervises it. */
final class Recorder {
    private final StateStore store;
    private final boolean detached;
    private ContainerRecord record;

    private Recorder(StateStore store, ContainerRecord record, boolean detached) {
        this.store = store;
        this.record = record;
        this.detached = detached;
    }

    /**
     * Takes the name for a container about to start.
     *
     * @param cgroups the cgroup directories its launch will make: a gc after this isolate is
     *                killed, however early, finds them in the record (--cgroup-parent puts them
     *                where gc does not otherwise look)
     */
    static Recorder claim(StateStore store, String name, ContainerSpec spec, Optional<SocketFilter> seccomp,
            List<String> cgroups) {
        ContainerRecord record = starting(name, spec, seccomp, cgroups);
        store.claim(record);
        return new Recorder(store, record, false);
    }

    /** The record a claim of the name writes first: this isolate supervises, no command yet. */
    static ContainerRecord starting(String name, ContainerSpec spec, Optional<SocketFilter> seccomp,
            List<String> cgroups) {
        return new ContainerRecord(StateStore.requireValidName(name), Optional.empty(), ProcessIdentity.self(),
                spec.namespaces().stream().map(Namespace::procName).toList(), spec.command(), Instant.now(),
                Optional.empty(), seccomp, cgroups, false);
    }

    /**
     * Takes over the name that the isolate which ran run -d claimed for this one.
     *
     * @param cgroups the cgroup directories this isolate's launch will make (see {@link #claim})
     */
    static Recorder adopt(StateStore store, String name, List<String> cgroups) {
        ContainerRecord claimed = store.get(StateStore.requireValidName(name));
        ContainerRecord record = new ContainerRecord(name, Optional.empty(), ProcessIdentity.self(),
                claimed.namespaces(), claimed.argv(), claimed.started(), Optional.empty(), claimed.seccomp(),
                cgroups, false);
        if (!store.replace(claimed, record)) {
            throw Failure.step("name \"" + name + "\": the claim of the isolate that ran run -d is gone");
        }
        return new Recorder(store, record, true);
    }

    /** Whether this isolate is a detached container's supervisor (it took its name over from run -d). */
    boolean detached() {
        return detached;
    }

    ContainerRecord record() {
        return record;
    }

    void running(int pid) {
        ProcessIdentity.of(pid).ifPresent(process -> {
            record = record.running(process);
            store.save(record);
        });
    }

    void exited(int status, boolean outOfMemory) {
        store.save(record.exited(status, outOfMemory));
    }

    /** A container that never ran leaves no record behind. */
    void failed() {
        if (record.command().isEmpty()) {
            store.remove(record);
        } else {
            store.save(record.exited(ExitStatus.SETUP_FAILED, false));
        }
    }
}
