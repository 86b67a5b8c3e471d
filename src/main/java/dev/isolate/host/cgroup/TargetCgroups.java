package dev.isolate.host.cgroup;

import dev.isolate.exit.Failure;
import dev.isolate.host.Caller;
import dev.isolate.state.PinnedProcess;
import dev.isolate.sys.SmallFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The cgroups of a running process that isolate exec moves its command into, as docker exec
 * joins the container's, so that the container's limits hold for what is run in it too: the
 * process's cgroup in every hierarchy where it is not isolate's own. Read through the
 * process's pinned /proc directory, so that a pid reused meanwhile cannot redirect it, and as
 * isolate's cgroup namespace shows it. A caller other than root joins only cgroups that it
 * owns (in a subtree delegated to it): any other is no cgroup of a container of its own, and
 * isolate never touches another user's cgroups.
 */
public final class TargetCgroups {
    private final List<Path> directories;

    TargetCgroups(List<Path> directories) {
        this.directories = List.copyOf(directories);
    }

    /**
     * @throws Failure when the process has ended, or its cgroup is outside isolate's cgroup namespace
     */
    public static TargetCgroups of(PinnedProcess process, Hierarchies hierarchies, Caller caller) {
        long pid = process.identity().pid();
        String content;
        try {
            content = SmallFiles.text(process.path().resolve("cgroup"));
        } catch (IOException e) {
            throw Failure.input("process " + pid + ": cgroup: " + Failure.reason(e));
        }
        return new TargetCgroups(toJoin(pid, content, hierarchies, caller));
    }

    /**
     * @param content the process's /proc/PID/cgroup
     */
    static List<Path> toJoin(long pid, String content, Hierarchies hierarchies, Caller caller) {
        // "4:memory:/a/b", "3:cpu,cpuacct:/", "0::/a": hierarchy id, controllers (v1), path.
        Map<Set<String>, String> byControllers = new HashMap<>();
        for (String line : content.split("\n")) {
            String[] fields = line.split(":", 3);
            if (fields.length == 3) {
                // v2's line has one empty word; v1's name=systemd has no controller, and no Hierarchy.
                byControllers.put(Arrays.stream(fields[1].split(",")).filter(word -> !word.startsWith("name="))
                        .collect(Collectors.toSet()), fields[2]);
            }
        }
        List<Path> join = new ArrayList<>();
        for (Hierarchies.Hierarchy hierarchy : hierarchies.all()) {
            String cgroup = byControllers.get(hierarchy.unified() ? Set.of("") : hierarchy.controllers());
            if (cgroup == null || cgroup.equals(hierarchy.own())) {
                continue;
            }
            if (!cgroup.startsWith("/") || List.of(cgroup.split("/")).contains("..")) {
                // The kernel shows a cgroup outside the reader's cgroup namespace from its root, with "..".
                throw Failure.input("process " + pid + ": its cgroup " + cgroup + " in " + hierarchy.mountPoint()
                        + " is outside isolate's cgroup namespace");
            }
            Path directory = hierarchy.directory(cgroup);
            if (caller.isRoot() || ContainerCgroup.ownedBy(directory, caller.uid())) {
                join.add(directory);
            }
        }
        return join;
    }

    /** The directories the command joins, one per hierarchy where the process is not where isolate is. */
    public List<Path> directories() {
        return directories;
    }

    /** Moves the waiting child into them, before it is released. */
    public void attach(int pid) {
        try {
            for (Path directory : directories) {
                ContainerCgroup.write(directory.resolve("cgroup.procs"), Integer.toString(pid));
            }
        } finally {
            GracePeriod.end();
        }
    }
}
