package dev.isolate.bundle;

import static dev.isolate.linux.Linux.MOUNT_ATTR_RDONLY;

import dev.isolate.exit.Failure;
import dev.isolate.spec.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/** config.json's mounts as isolate's: binds, kernel filesystems and the container's cgroup. */
final class Mounts {
    private static final Set<String> FIELDS = Set.of("destination", "source", "type", "options", "uidMappings",
            "gidMappings");

    private Mounts() {
    }

    /** @param root the container's root, where a copy-up tmpfs's directory is looked at */
    static List<Mount> read(Node mounts, Path bundle, Path root) {
        List<Mount> read = new ArrayList<>();
        for (Node mount : mounts.list()) {
            read.add(mount(mount, bundle, root));
        }
        return read;
    }

    private static Mount mount(Node mount, Path bundle, Path root) {
        mount.fields(FIELDS);
        mount.refuse("uidMappings", "isolate makes no id-mapped mounts");
        mount.refuse("gidMappings", "isolate makes no id-mapped mounts");
        Node destinationNode = mount.field("destination");
        String destination = destinationNode.require().string();
        if (!destination.startsWith("/")) {
            throw destinationNode.fail("\"" + destination + "\": must be an absolute path in the container");
        }
        String type = mount.field("type").optionalString().orElse("");
        Options options = options(mount.field("options"));
        if (type.equals("bind") || options.bind) {
            if (!options.flags.isEmpty() || !options.data.isEmpty()) {
                throw mount.field("options").fail("a bind mount takes no filesystem options ("
                        + String.join(", ", options.flags.isEmpty() ? options.data.keySet() : options.flags) + ")");
            }
            String source = mount.field("source").require().filePath();
            // A relative source is the bundle's, as runc reads it.
            return new Mount.Bind(bundle.resolve(source).toString(), destination, options.recursive,
                    options.attributes);
        }
        if (Supported.CGROUP_MOUNT_TYPES.contains(type)) {
            if ((options.attributes & MOUNT_ATTR_RDONLY) == 0) {
                throw mount.field("options").fail("isolate shows the container's cgroup read-only only: add \"ro\"");
            }
            if (!options.flags.isEmpty() || !options.data.isEmpty()) {
                throw mount.field("options").fail("a cgroup mount takes no filesystem options");
            }
            return new Mount.Cgroups(destination);
        }
        if (!Mount.Filesystem.TYPES.contains(type)) {
            throw mount.field("type").fail("\"" + type + "\": isolate mounts " + String.join(", ",
                    Mount.Filesystem.TYPES.stream().sorted().toList()) + ", cgroup and binds");
        }
        if (options.copyUp) {
            requireNothingToCopy(mount, type, root, destination);
        }
        return new Mount.Filesystem(type, destination, options.attributes, options.flags, options.data);
    }

    /**
     * tmpcopyup (podman's --read-only tmpfs on /tmp, /run and /var/tmp) fills the new tmpfs
     * with what the image has there. isolate copies nothing, which is the same when the
     * image's directory is empty or missing, as in most images; otherwise it is refused.
     */
    private static void requireNothingToCopy(Node mount, String type, Path root, String destination) {
        if (!type.equals("tmpfs")) {
            throw mount.field("options").fail("\"tmpcopyup\": only a tmpfs takes it");
        }
        Path directory = root.resolve(destination.substring(1));
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
                throw mount.field("options").fail("\"tmpcopyup\": " + destination + " is not a directory in the"
                        + " container's root");
            }
            return;
        }
        try (Stream<Path> entries = Files.list(directory)) {
            if (entries.findAny().isPresent()) {
                throw mount.field("options").fail("\"tmpcopyup\": isolate copies nothing into a new tmpfs, and "
                        + destination + " is not empty in the container's root");
            }
        } catch (IOException e) {
            throw mount.field("options").fail("\"tmpcopyup\": " + destination + ": " + Failure.reason(e));
        }
    }

    /** What a mount's options ask for, each applied in order as mount(8) applies them. */
    private static final class Options {
        boolean bind;
        boolean recursive;
        boolean copyUp;
        long attributes;
        final List<String> flags = new ArrayList<>();
        final Map<String, String> data = new LinkedHashMap<>();
    }

    private static Options options(Node list) {
        Options options = new Options();
        for (Node node : list.list()) {
            String option = node.string();
            int equals = option.indexOf('=');
            if (equals >= 0) {
                String key = option.substring(0, equals);
                if (!Supported.FILESYSTEM_KEYS.contains(key)) {
                    throw node.fail("\"" + option + "\": isolate does not support the option " + key);
                }
                options.data.put(key, option.substring(equals + 1));
                continue;
            }
            if (Supported.BIND_OPTIONS.contains(option)) {
                options.bind = true;
                options.recursive = option.equals("rbind");
                continue;
            }
            if (Supported.PROPAGATION_OPTIONS.contains(option)) {
                continue;
            }
            if (option.equals(Supported.COPY_UP)) {
                options.copyUp = true;
                continue;
            }
            if (Supported.FILESYSTEM_FLAGS.contains(option)) {
                options.flags.add(option);
                continue;
            }
            Supported.AttributeOption attribute = Supported.ATTRIBUTE_OPTIONS.stream()
                    .filter(known -> known.name().equals(option)).findFirst()
                    .orElseThrow(() -> node.fail("\"" + option + "\": " + refusal(option)));
            options.attributes = (options.attributes & ~attribute.clear()) | attribute.set();
        }
        return options;
    }

    private static String refusal(String option) {
        return switch (option) {
            case "shared", "rshared", "slave", "rslave", "unbindable", "runbindable" ->
                    "isolate keeps every mount of a container private";
            default -> "isolate does not support this mount option";
        };
    }
}
