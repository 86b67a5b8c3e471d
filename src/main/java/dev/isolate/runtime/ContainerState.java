package dev.isolate.runtime;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.isolate.exit.Failure;
import dev.isolate.host.cgroup.Hierarchies;
import dev.isolate.host.cgroup.KeptCgroup;
import dev.isolate.state.IsoInstant;
import dev.isolate.state.ProcessIdentity;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What state.json keeps of a container: what the spec's state shows, its process as pid and
 * start time (a recycled pid is never taken for it), the cgroups delete removes, and the hooks
 * that run after create has returned (from the config create read, as the spec asks, not from
 * the bundle as it may be later).
 *
 * @param containerProcess config.json's process, as exec starts from it
 * @param process        none until the container's process exists
 * @param createFinished whether create returned: until then the container is creating
 */
public record ContainerState(String id, String bundle, String rootfs, Instant created,
        Map<String, String> annotations, ContainerProcess containerProcess, Optional<ProcessIdentity> process,
        List<String> cgroups, List<Hook> poststart, List<Hook> poststop, boolean createFinished) {
    /** The version of the runtime spec whose state this is. */
    public static final String OCI_VERSION = "1.2.0";

    public ContainerState {
        annotations = Map.copyOf(annotations);
        cgroups = List.copyOf(cgroups);
        poststart = List.copyOf(poststart);
        poststop = List.copyOf(poststop);
    }

    public ContainerState withProcess(ProcessIdentity identity) {
        return new ContainerState(id, bundle, rootfs, created, annotations, containerProcess, Optional.of(identity),
                cgroups, poststart, poststop, createFinished);
    }

    /** The state once create has returned, with the cgroups it kept. */
    public ContainerState finished(List<String> keptCgroups) {
        return new ContainerState(id, bundle, rootfs, created, annotations, containerProcess, process, keptCgroups,
                poststart, poststop, true);
    }

    /** The container's cgroup, found again from its directories; none when it has none (rootless on cgroup v1). */
    public Optional<KeptCgroup> cgroup() {
        return cgroups.isEmpty() ? Optional.empty()
                : Optional.of(KeptCgroup.of(cgroups.stream().map(Path::of).toList(), Hierarchies.read()));
    }

    /** The pid the spec's state shows: 0 once the process has ended, as runc shows it. */
    public long pid(Status status) {
        return status == Status.STOPPED ? 0 : process.map(ProcessIdentity::pid).orElse(0L);
    }

    /** The spec's state (what `state` prints and hooks read on stdin), with runc's rootfs, created and owner. */
    public String ociJson(Status status, boolean pretty) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ociVersion", OCI_VERSION);
        json.put("id", id);
        json.put("pid", pid(status));
        json.put("status", status.word());
        json.put("bundle", bundle);
        json.put("rootfs", rootfs);
        json.put("created", IsoInstant.format(created));
        if (!annotations.isEmpty()) {
            json.put("annotations", new LinkedHashMap<>(annotations));
        }
        json.put("owner", "");
        return write(pretty ? JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT) : JSON.std, json);
    }

    /** state.json's text. */
    public String stored() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("bundle", bundle);
        json.put("rootfs", rootfs);
        json.put("created", IsoInstant.format(created));
        json.put("annotations", new LinkedHashMap<>(annotations));
        json.put("process", containerProcess.json());
        process.ifPresent(p -> {
            json.put("pid", p.pid());
            json.put("pidStartTime", p.startTime());
        });
        json.put("cgroups", cgroups);
        json.put("poststart", poststart.stream().map(Hook::json).toList());
        json.put("poststop", poststop.stream().map(Hook::json).toList());
        json.put("createFinished", createFinished);
        return write(JSON.std, json);
    }

    /** A state read back from {@link #stored}'s text; anything else is an error naming the file. */
    @SuppressWarnings("unchecked")
    public static ContainerState parse(String text, String file) {
        try {
            Map<String, Object> json = JSON.std.mapFrom(text);
            Optional<ProcessIdentity> process = json.containsKey("pid")
                    ? Optional.of(new ProcessIdentity(number(json, "pid"), number(json, "pidStartTime")))
                    : Optional.empty();
            return new ContainerState((String) required(json, "id"), (String) required(json, "bundle"),
                    (String) required(json, "rootfs"), IsoInstant.parse((String) required(json, "created")),
                    (Map<String, String>) required(json, "annotations"),
                    ContainerProcess.fromJson((Map<String, Object>) required(json, "process")), process,
                    (List<String>) required(json, "cgroups"), hooks(json, "poststart"), hooks(json, "poststop"),
                    (Boolean) required(json, "createFinished"));
        } catch (IOException | ClassCastException | IllegalArgumentException | NullPointerException e) {
            throw Failure.step(file + ": not a state file isolate-runtime wrote (" + e.getMessage() + ")");
        }
    }

    private static Object required(Map<String, Object> json, String key) {
        Object value = json.get(key);
        if (value == null) {
            throw new IllegalArgumentException("no " + key);
        }
        return value;
    }

    private static long number(Map<String, Object> json, String key) {
        return ((Number) required(json, key)).longValue();
    }

    @SuppressWarnings("unchecked")
    private static List<Hook> hooks(Map<String, Object> json, String key) {
        List<Hook> hooks = new ArrayList<>();
        for (Object hook : (List<Object>) required(json, key)) {
            hooks.add(Hook.fromJson((Map<String, Object>) hook));
        }
        return hooks;
    }

    private static String write(JSON json, Map<String, Object> value) {
        try {
            return json.asString(value);
        } catch (IOException e) {
            throw new IllegalStateException("JSON of a map of strings, numbers and lists", e);
        }
    }
}
