package dev.isolate.runtime;

import dev.isolate.bundle.BundleConfig;
import dev.isolate.exit.Failure;
import dev.isolate.spec.ContainerSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the runtime takes from a bundle: the container to launch and what surrounds the
 * launch (its hooks, annotations, whether it has a terminal). config.json is read and checked
 * in full here, before anything is made.
 *
 * @param directory the bundle's directory, absolute
 */
public record Bundle(Path directory, Path rootfs, ContainerSpec spec, boolean terminal,
        Map<String, String> annotations, Map<String, List<Hook>> hooks, ContainerProcess process) {
    /** The hook points the runtime itself runs, in the runtime's namespaces. */
    static final List<String> RUNTIME_HOOKS = List.of("prestart", "createRuntime", "poststart", "poststop");

    public Bundle {
        annotations = Map.copyOf(annotations);
        hooks = Map.copyOf(hooks);
    }

    /**
     * Reads the bundle's config.json into a launch for container {@code id}.
     *
     * @param preserveFds create's --preserve-fds: descriptors 3 to 3+N-1 passed to the container
     */
    public static Bundle read(Path directory, String id, int preserveFds) {
        Path absolute = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(absolute)) {
            throw Failure.input("bundle " + absolute + ": not a directory");
        }
        BundleConfig config = BundleConfig.read(absolute);
        Map<String, List<Hook>> hooks = Map.of(
                "prestart", hooks(config.hooks().prestart()),
                "createRuntime", hooks(config.hooks().createRuntime()),
                "poststart", hooks(config.hooks().poststart()),
                "poststop", hooks(config.hooks().poststop()));
        hooks.forEach(Hooks::requireRunnable);
        ContainerSpec spec = config.spec(id, preserveFds == 0 ? OptionalInt.empty() : OptionalInt.of(preserveFds),
                RuntimeRoot.hostRoot());
        return new Bundle(absolute, config.root(), spec, config.process().terminal(), config.annotations(),
                hooks, ContainerProcess.of(config.process(), spec.containment().seccomp()));
    }

    public List<Hook> hooks(String point) {
        return hooks.getOrDefault(point, List.of());
    }

    /** config.json's hooks; an empty env is taken as none given, which runs the hook with the runtime's own. */
    private static List<Hook> hooks(List<dev.isolate.bundle.Hooks.Hook> given) {
        return given.stream().map(h -> new Hook(h.path(), h.args(),
                h.env().isEmpty() ? Optional.empty() : Optional.of(h.env()), h.timeout())).toList();
    }
}
