package dev.isolate.plan;

import static dev.isolate.linux.Linux.PR_SET_PDEATHSIG;
import static dev.isolate.linux.Linux.SIGKILL;

import dev.isolate.exit.Failure;
import dev.isolate.host.HostFacts;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Credentials;
import dev.isolate.spec.IdMapping;
import dev.isolate.spec.RunAs;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.ParentStep;
import dev.isolate.step.Step;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * -S, -G and --group-add: the child's last change before the command, once the namespaces,
 * mounts and working directory are set up with the container's root privileges. Groups
 * first, then the gid, then the uid, which gives up the right to change the others.
 */
final class CredentialSteps {
    private CredentialSteps() {
    }

    /** One id the command would run with, and the option it comes from. */
    private record Id(String kind, String option, long id) {
    }

    /**
     * What can be told from the command line alone: a caller who may not change ids, numbers
     * that the container's user namespace does not map, and --group-add where setgroups is denied. Names are checked
     * by {@link #check} once they are looked up.
     */
    static void checkNumbers(ContainerSpec spec, HostFacts facts) {
        RunAs runAs = spec.runAs();
        if (runAs.changes() && spec.user().isEmpty() && !facts.caller().canMapAny()) {
            throw Failure.input("-S, -G, --group-add: changing ids needs CAP_SETUID and CAP_SETGID: run isolate"
                    + " as root, or in a new user namespace (-U)");
        }
        List<Id> ids = new ArrayList<>();
        runAs.user().ifPresent(value -> RunAs.number(value).ifPresent(id -> ids.add(new Id("uid", "-S " + value, id))));
        runAs.group().ifPresent(value -> RunAs.number(value).ifPresent(id -> ids.add(new Id("gid", "-G " + value, id))));
        runAs.extraGroups().forEach(value -> RunAs.number(value)
                .ifPresent(id -> ids.add(new Id("gid", "--group-add " + value, id))));
        requireMapped(spec, ids);
        requireSetgroups(spec, facts);
    }

    /** @throws Failure when an id is not mapped in the container's user namespace, or groups cannot be set */
    static void check(ContainerSpec spec, HostFacts facts, Credentials credentials) {
        RunAs runAs = spec.runAs();
        List<Id> ids = new ArrayList<>();
        credentials.uid().ifPresent(id -> ids.add(new Id("uid", "-S " + runAs.user().orElseThrow(), id)));
        credentials.gid().ifPresent(id -> ids.add(runAs.group().isPresent()
                ? new Id("gid", "-G " + runAs.group().get(), id)
                : new Id("primary gid", "-S " + runAs.user().orElseThrow(), id)));
        for (int i = 0; i < credentials.groups().size(); i++) {
            ids.add(new Id("gid", "--group-add " + runAs.extraGroups().get(i), credentials.groups().get(i)));
        }
        requireMapped(spec, ids);
        requireSetgroups(spec, facts);
    }

    /** setgroups, setresgid, setresuid, and the parent-death signal again, which a change of ids clears. */
    static void steps(ContainerSpec spec, HostFacts facts, Credentials credentials, boolean parentDeath,
            List<Step> steps) {
        ids(credentials, !deniesSetgroups(spec, facts), steps);
        if (parentDeath && (credentials.uid().isPresent() || credentials.gid().isPresent())) {
            // The kernel clears the parent-death signal when the effective ids change.
            steps.add(Step.of(Call.PRCTL, Check.SUCCESS, "set the parent-death signal again",
                    Arg.of(PR_SET_PDEATHSIG), Arg.of(SIGKILL)));
        }
    }

    /**
     * setgroups (unless the user namespace denies it), setresgid and setresuid to the ids given;
     * a join's command has no parent-death signal to arm again.
     */
    static void ids(Credentials credentials, boolean setGroups, List<Step> steps) {
        if (setGroups) {
            List<Long> groups = credentials.groups();
            steps.add(groups.isEmpty()
                    ? Step.of(Call.SETGROUPS, Check.SUCCESS, "clear the supplementary groups", Arg.of(0), Arg.NULL)
                    : Step.of(Call.SETGROUPS, Check.SUCCESS, "set the supplementary groups to "
                            + groups.stream().map(String::valueOf).collect(Collectors.joining(",")),
                            Arg.of(groups.size()), new Arg.Bytes(gidArray(groups))));
        }
        credentials.gid().ifPresent(gid -> steps.add(Step.of(Call.SETRESGID, Check.SUCCESS, "become gid " + gid,
                Arg.of(gid), Arg.of(gid), Arg.of(gid))));
        credentials.uid().ifPresent(uid -> steps.add(Step.of(Call.SETRESUID, Check.SUCCESS, "become uid " + uid,
                Arg.of(uid), Arg.of(uid), Arg.of(uid))));
    }

    /** The command's environment with HOME the user's, when -S asks for it. */
    static Map<String, String> environment(Map<String, String> environment, Credentials credentials) {
        if (credentials.home().isEmpty()) {
            return environment;
        }
        Map<String, String> withHome = new LinkedHashMap<>(environment);
        withHome.put("HOME", credentials.home().get());
        return withHome;
    }

    private static void requireMapped(ContainerSpec spec, List<Id> ids) {
        if (spec.user().isEmpty()) {
            return; // the caller's own user namespace: the kernel says whether it may
        }
        for (Id id : ids) {
            List<IdMapping> map = id.kind().equals("uid") ? spec.user().get().uids() : spec.user().get().gids();
            if (map.stream().noneMatch(range -> id.id() >= range.inner() && id.id() < range.inner() + range.count())) {
                throw Failure.input(id.option() + ": " + id.kind() + " " + id.id() + " is not mapped in the container's"
                        + " user namespace, which maps " + (id.kind().equals("uid") ? "uids " : "gids ") + ranges(map)
                        + " (see --map-users, --map-groups and --map-auto)");
            }
        }
    }

    private static String ranges(List<IdMapping> map) {
        return map.stream().map(r -> r.count() == 1 ? Long.toString(r.inner())
                : r.inner() + "-" + (r.inner() + r.count() - 1)).collect(Collectors.joining(","));
    }

    private static void requireSetgroups(ContainerSpec spec, HostFacts facts) {
        if (!spec.runAs().extraGroups().isEmpty() && deniesSetgroups(spec, facts)) {
            if (spec.user().isEmpty()) {
                throw Failure.input("--group-add: setgroups(2) is denied in the user namespace isolate runs in");
            }
            throw Failure.input("--group-add: setgroups(2) is denied in the container's user namespace ("
                    + (Boolean.FALSE.equals(spec.user().get().setgroups()) ? "--setgroups deny"
                    : "the kernel's rule when an unprivileged caller maps only its own gid; map groups with"
                    + " --map-groups or --map-auto") + ")");
        }
    }

    /** Whether the parent writes "deny" to the child's setgroups file: then setgroups fails inside. */
    private static boolean deniesSetgroups(ContainerSpec spec, HostFacts facts) {
        if (spec.user().isEmpty()) {
            return facts.setgroupsDenied(); // the user namespace isolate itself runs in
        }
        return IdMapSteps.steps(spec.user().get(), facts).stream()
                .anyMatch(step -> step instanceof ParentStep.WriteProcFile write && write.file().equals("setgroups"));
    }

    /** gid_t[], as setgroups(2) takes it. */
    private static byte[] gidArray(List<Long> groups) {
        ByteBuffer array = ByteBuffer.allocate(Integer.BYTES * groups.size()).order(ByteOrder.nativeOrder());
        groups.forEach(gid -> array.putInt((int) (long) gid));
        return array.array();
    }
}
