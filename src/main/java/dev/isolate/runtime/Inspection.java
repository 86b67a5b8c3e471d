package dev.isolate.runtime;

import dev.isolate.exit.Failure;
import dev.isolate.state.IsoInstant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** state, list and ps: what is known of containers, read without taking their locks. */
public final class Inspection {
    private Inspection() {
    }

    /** The container's state as the spec defines it, pretty-printed as runc prints it. */
    public static String state(RuntimeContext context, String id) {
        return observe(context, id).map(observed -> observed.ociJson(true))
                .orElseThrow(() -> Failure.input("container " + id + ": still being created"));
    }

    /** Every container kept in the state directory, in the order of their ids. */
    public static List<Observed> list(RuntimeContext context) {
        List<Observed> all = new ArrayList<>();
        for (String id : context.root().ids()) {
            try {
                observe(context, id).ifPresent(all::add);
            } catch (Failure deletedMeanwhile) {
                // A container deleted while the list was read is not listed.
            }
        }
        return all;
    }

    /** list's JSON: an array of the containers' states. */
    public static String listJson(List<Observed> containers) {
        StringBuilder json = new StringBuilder("[");
        for (Observed observed : containers) {
            json.append(json.length() > 1 ? "," : "").append(observed.ociJson(false));
        }
        return json.append("]").toString();
    }

    /** list's table, with runc's columns. */
    public static String listTable(List<Observed> containers) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"));
        for (Observed observed : containers) {
            ContainerState state = observed.state();
            rows.add(List.of(state.id(), Long.toString(state.pid(observed.status())), observed.status().word(),
                    state.bundle(), IsoInstant.format(state.created()), ownerName()));
        }
        return Table.of(rows);
    }

    /** The pids of every process in the container's cgroup. */
    public static List<Long> pids(RuntimeContext context, String id) {
        ContainerState state = observe(context, id).map(Observed::state)
                .orElseThrow(() -> Failure.input("container " + id + ": still being created"));
        return state.cgroup().orElseThrow(() -> Failure.input("ps " + id + ": the container has no cgroup, so its"
                + " processes cannot all be found (a rootless container on cgroup v1)")).pids();
    }

    private static Optional<Observed> observe(RuntimeContext context, String id) {
        return ContainerDirectory.read(context.root(), id).map(state -> Observed.now(context.root(), state));
    }

    /** Every container here is the caller's: the state directory is checked to be. */
    private static String ownerName() {
        return System.getProperty("user.name", "");
    }
}
