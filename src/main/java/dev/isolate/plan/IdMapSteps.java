package dev.isolate.plan;

import dev.isolate.exit.Failure;
import dev.isolate.host.Caller;
import dev.isolate.host.HostFacts;
import dev.isolate.spec.IdMapping;
import dev.isolate.spec.UserNamespace;
import dev.isolate.step.ParentStep;
import java.util.ArrayList;
import java.util.List;

/**
 * How the parent gives a new user namespace its id maps: by writing /proc/CHILD/uid_map
 * and gid_map itself when the kernel lets it, or through the setuid helpers newuidmap and
 * newgidmap, which check /etc/subuid and /etc/subgid.
 */
final class IdMapSteps {
    private IdMapSteps() {
    }

    /** @throws Failure when the caller may not have this mapping, or the helpers it needs are missing */
    static List<ParentStep> steps(UserNamespace ns, HostFacts facts) {
        Caller caller = facts.caller();
        List<ParentStep> steps = new ArrayList<>();
        if (caller.canMapAny()) {
            // CAP_SETUID/CAP_SETGID: the kernel takes any map from us; setgroups stays allowed by default.
            if (Boolean.FALSE.equals(ns.setgroups())) {
                steps.add(setgroupsDeny());
            }
            steps.add(write("uid_map", ns.uids()));
            steps.add(write("gid_map", ns.gids()));
            return steps;
        }
        if (isOwnIdOnly(ns.uids(), caller.uid()) && isOwnIdOnly(ns.gids(), caller.gid())) {
            // An unprivileged process may map its own ids, once setgroups is denied.
            if (Boolean.TRUE.equals(ns.setgroups())) {
                throw Failure.input("--setgroups allow: without privilege, mapping your own gid requires"
                        + " setgroups to be denied (a kernel rule); use --map-groups with newgidmap instead");
            }
            steps.add(setgroupsDeny());
            steps.add(write("uid_map", ns.uids()));
            steps.add(write("gid_map", ns.gids()));
            return steps;
        }
        requireOwned("uid", ns.uids(), caller.uid(), facts.subordinateUids(), caller.name());
        requireOwned("gid", ns.gids(), caller.gid(), facts.subordinateGids(), caller.name());
        String newuidmap = facts.newuidmap().orElseThrow(IdMapSteps::missingHelpers);
        String newgidmap = facts.newgidmap().orElseThrow(IdMapSteps::missingHelpers);
        if (Boolean.FALSE.equals(ns.setgroups())) {
            steps.add(setgroupsDeny());
        }
        steps.add(new ParentStep.RunHelper(newuidmap, helperArgs(ns.uids()), "uid map (newuidmap)"));
        steps.add(new ParentStep.RunHelper(newgidmap, helperArgs(ns.gids()), "gid map (newgidmap)"));
        return steps;
    }

    private static boolean isOwnIdOnly(List<IdMapping> map, long id) {
        return map.size() == 1 && map.get(0).outer() == id && map.get(0).count() == 1;
    }

    /** Without privilege every outside id must be the caller's own or one of its subordinate ids. */
    private static void requireOwned(String kind, List<IdMapping> map, long own, List<IdMapping> subordinate,
            String name) {
        for (IdMapping range : map) {
            boolean isOwn = range.outer() == own && range.count() == 1;
            boolean inSubordinate = subordinate.stream().anyMatch(s ->
                    range.outer() >= s.outer() && range.outer() + range.count() <= s.outer() + s.count());
            if (!isOwn && !inSubordinate) {
                throw Failure.input(kind + " range " + range.asOption() + ": outside ids " + range.outer() + "-" + (range.outer() + range.count() - 1)
                        + " are not " + name + "'s own nor in its /etc/sub" + kind + " ranges");
            }
        }
    }

    private static Failure missingHelpers() {
        return Failure.input("mapping ranges of ids without privilege needs newuidmap and newgidmap:"
                + " install the uidmap package (Debian, Ubuntu) or shadow-utils (Fedora)");
    }

    private static ParentStep setgroupsDeny() {
        return new ParentStep.WriteProcFile("setgroups", "deny", "setgroups");
    }

    private static ParentStep write(String file, List<IdMapping> map) {
        StringBuilder text = new StringBuilder();
        map.forEach(line -> text.append(line).append('\n'));
        return new ParentStep.WriteProcFile(file, text.toString(), file);
    }

    private static List<String> helperArgs(List<IdMapping> map) {
        List<String> args = new ArrayList<>();
        for (IdMapping line : map) {
            args.add(Long.toString(line.inner()));
            args.add(Long.toString(line.outer()));
            args.add(Long.toString(line.count()));
        }
        return args;
    }
}
