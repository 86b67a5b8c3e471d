package dev.isolate.plan;

import static dev.isolate.linux.Linux.AT_EACCESS;
import static dev.isolate.linux.Linux.AT_FDCWD;
import static dev.isolate.linux.Linux.CLOSE_RANGE_CLOEXEC;
import static dev.isolate.linux.Linux.F_SETFD;
import static dev.isolate.linux.Linux.X_OK;

import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The child's last steps: descriptor hygiene, then execve. */
final class ExecSteps {
    /** execvp's search path when the command's environment has no PATH (docker's default). */
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private ExecSteps() {
    }

    /** Close every descriptor at exec except 0-2 and the ones the caller passed on purpose. */
    static void descriptors(Set<Integer> passedFds, List<Step> steps) {
        steps.add(Step.of(Call.CLOSE_RANGE, Check.SUCCESS, "mark descriptors close-on-exec",
                Arg.of(3), Arg.of(0xFFFF_FFFFL), Arg.of(CLOSE_RANGE_CLOEXEC)));
        for (int fd : new TreeSet<>(passedFds)) {
            steps.add(Step.of(Call.FCNTL, Check.SUCCESS, "pass descriptor " + fd,
                    Arg.of(fd), Arg.of(F_SETFD), Arg.of(0)));
        }
    }

    /**
     * execve, or execvp's PATH walk when the name has no slash: one execve per path, named
     * after it, then one of the empty path. That last one always fails with ENOENT, so a name
     * found nowhere is reported under the name itself; a path that was there but could not be
     * executed (EACCES, which the walk remembers, or any other error, which ends it) is
     * reported under that path.
     */
    static void exec(List<String> command, Map<String, String> environment, List<Step> steps) {
        String name = command.get(0);
        Arg argv = new Arg.CStringArray(command);
        Arg envp = new Arg.CStringArray(environ(environment));
        if (name.contains("/")) {
            steps.add(Step.of(Call.EXECVE, Check.SUCCESS, "exec \"" + name + "\"", Arg.of(name), argv, envp));
            return;
        }
        for (String candidate : searchPath(name, environment.getOrDefault("PATH", DEFAULT_PATH))) {
            steps.add(Step.of(Call.EXECVE, Check.EXEC_CANDIDATE, "exec " + candidate, Arg.of(candidate), argv, envp));
        }
    }

    /**
     * execve of an init that runs the command ({@code init}: its arguments up to the command),
     * after the command's own PATH walk. The init's exec would report a missing command as its
     * own message and status, so the child probes each path execvp would try, as the command's
     * user, with faccessat2(X_OK, AT_EACCESS), and executes the init only for a path that is
     * there: a command found nowhere fails as {@link #exec}'s does, named as the walk names it
     * (see Supervisor), 127 or 126. The init gets the name as given when the environment has a
     * PATH, so its own execvp finds the same file and COMMAND's argv[0] is what was typed (as
     * with docker's --init); without one, the path found, because the C library's execvp would
     * search another default than {@link #DEFAULT_PATH}.
     */
    static void execThrough(List<String> init, List<String> command, Map<String, String> environment,
            List<Step> steps) {
        String name = command.get(0);
        Arg envp = new Arg.CStringArray(environ(environment));
        if (name.contains("/")) {
            probeThenExec(init, command, name, "exec \"" + name + "\"", name, envp, steps);
            return;
        }
        boolean searchesAsGiven = environment.containsKey("PATH");
        for (String candidate : searchPath(name, environment.getOrDefault("PATH", DEFAULT_PATH))) {
            probeThenExec(init, command, candidate, "exec " + candidate, searchesAsGiven ? name : candidate, envp,
                    steps);
        }
    }

    /** The probe of one path, and the init's execve that runs the command as {@code as} when it is there. */
    private static void probeThenExec(List<String> init, List<String> command, String probed, String what,
            String as, Arg envp, List<Step> steps) {
        steps.add(Step.of(Call.FACCESSAT2, Check.EXEC_PROBE, what,
                Arg.of(AT_FDCWD), Arg.of(probed), Arg.of(X_OK), Arg.of(AT_EACCESS)));
        List<String> argv = new ArrayList<>(init);
        argv.add(as);
        argv.addAll(command.subList(1, command.size()));
        steps.add(Step.of(Call.EXECVE, Check.SUCCESS, "exec the init " + init.get(0) + " for " + probed,
                Arg.of(init.get(0)), new Arg.CStringArray(argv), envp));
    }

    /** The paths execvp tries, in order; an empty PATH entry means the working directory. */
    static List<String> searchPath(String name, String path) {
        List<String> candidates = new ArrayList<>();
        for (String dir : path.split(":", -1)) {
            candidates.add(dir.isEmpty() ? name : dir.endsWith("/") ? dir + name : dir + "/" + name);
        }
        return candidates;
    }

    static List<String> environ(Map<String, String> environment) {
        List<String> entries = new ArrayList<>(environment.size());
        environment.forEach((k, v) -> entries.add(k + "=" + v));
        return entries;
    }
}
