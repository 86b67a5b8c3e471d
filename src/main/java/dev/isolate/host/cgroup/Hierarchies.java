package dev.isolate.host.cgroup;

import dev.isolate.exit.Failure;
import dev.isolate.host.MountInfo;
import dev.isolate.sys.SmallFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The cgroup hierarchies this process sees, read at run time: cgroup v1 mounts, one per
 * controller or group of controllers, and the unified v2 mount. A machine may have both (v1
 * controllers and a v2 hierarchy holding the rest, as systemd's "hybrid" set-up); each
 * controller lives in exactly one of them.
 */
public record Hierarchies(List<Hierarchy> all) {
    public Hierarchies {
        all = List.copyOf(all);
    }

    /**
     * One mounted hierarchy.
     *
     * @param mountPoint  where it is mounted in this mount namespace
     * @param unified     cgroup v2
     * @param controllers those it holds: v1's from the mount options, v2's from its root's cgroup.controllers
     * @param own         this process's cgroup in it, from its root ("" for the root itself)
     */
    public record Hierarchy(Path mountPoint, boolean unified, Set<String> controllers, String own) {
        public Hierarchy {
            controllers = Set.copyOf(controllers);
        }

        /** The directory of a cgroup of this hierarchy, given from its root. */
        public Path directory(String cgroup) {
            String relative = cgroup.startsWith("/") ? cgroup.substring(1) : cgroup;
            return relative.isEmpty() ? mountPoint : mountPoint.resolve(relative);
        }
    }

    /** The hierarchies of this process: /proc/self/mountinfo and /proc/self/cgroup. */
    public static Hierarchies read() {
        try {
            return parse(SmallFiles.text(Path.of("/proc/self/mountinfo")), SmallFiles.text(Path.of("/proc/self/cgroup")),
                    Hierarchies::rootControllers);
        } catch (IOException e) {
            throw Failure.step("cgroups: " + Failure.reason(e));
        }
    }

    /**
     * @param rootControllers the controllers listed in a v2 mount's cgroup.controllers
     */
    static Hierarchies parse(String mountinfo, String procCgroup, Function<Path, Set<String>> rootControllers) {
        Map<String, String> ownByKey = new HashMap<>();
        for (String line : procCgroup.split("\n")) {
            // "4:memory:/a/b", "0::/a": hierarchy id, controllers (or name=...), path.
            String[] fields = line.split(":", 3);
            if (fields.length == 3) {
                ownByKey.put(fields[1], fields[2]);
            }
        }
        List<Hierarchy> found = new ArrayList<>();
        Set<Path> seen = new LinkedHashSet<>();
        for (String line : mountinfo.split("\n")) {
            // Only cgroup and cgroup2 mounts; indexOf, not a regular expression: this is on every launch's path.
            int separator = line.indexOf(" - cgroup");
            if (separator < 0) {
                continue;
            }
            String[] mount = line.substring(0, separator).split(" ");
            String[] fs = line.substring(separator + 3).split(" ");
            if (mount.length < 5 || fs.length < 3 || !mount[3].equals("/")) {
                continue; // only a hierarchy's root mount shows it whole
            }
            Path mountPoint = Path.of(MountInfo.unescape(mount[4]));
            if (fs[0].equals("cgroup2") && seen.add(mountPoint)) {
                found.add(new Hierarchy(mountPoint, true, rootControllers.apply(mountPoint),
                        ownByKey.getOrDefault("", "/")));
            } else if (fs[0].equals("cgroup") && seen.add(mountPoint)) {
                Set<String> controllers = new LinkedHashSet<>();
                boolean named = false;
                for (String option : fs[2].split(",")) {
                    if (option.startsWith("name=")) {
                        named = true;
                    } else if (!option.equals("rw") && !option.equals("ro") && !option.contains("=")
                            && !option.startsWith("no") && !option.equals("clone_children")
                            && !option.equals("xattr") && !option.equals("cpuset_v2_mode")) {
                        controllers.add(option);
                    }
                }
                if (named && controllers.isEmpty()) {
                    continue; // systemd's name=systemd: no controller, not isolate's to manage
                }
                found.add(new Hierarchy(mountPoint, false, controllers, own(ownByKey, controllers)));
            }
        }
        return new Hierarchies(found);
    }

    /**
     * This process's cgroup in the v1 hierarchy of these controllers: /proc/self/cgroup names
     * it by the same controllers, in an order of its own ("cpuacct,cpu").
     */
    private static String own(Map<String, String> ownByKey, Set<String> controllers) {
        for (Map.Entry<String, String> entry : ownByKey.entrySet()) {
            if (!entry.getKey().isEmpty() && Set.of(entry.getKey().split(",")).equals(controllers)) {
                return entry.getValue();
            }
        }
        return "/";
    }

    /** The hierarchy that holds a controller, if one does. */
    public Optional<Hierarchy> holding(String controller) {
        return all.stream().filter(h -> h.controllers().contains(controller)).findFirst();
    }

    /** The unified hierarchy, if one is mounted. */
    public Optional<Hierarchy> unified() {
        return all.stream().filter(Hierarchy::unified).findFirst();
    }

    /** Whether the controllers are v1's: some v1 hierarchy holds one. */
    public boolean v1() {
        return all.stream().anyMatch(h -> !h.unified());
    }

    /** The space-separated words of a cgroup file, as cgroup.controllers. */
    static List<String> words(String content) {
        String text = content.strip();
        return text.isEmpty() ? List.of() : List.of(text.split("\\s+"));
    }

    private static Set<String> rootControllers(Path mountPoint) {
        try {
            return Set.copyOf(words(SmallFiles.text(mountPoint.resolve("cgroup.controllers"))));
        } catch (IOException e) {
            return Set.of();
        }
    }
}
