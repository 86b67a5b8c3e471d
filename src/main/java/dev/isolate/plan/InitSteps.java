package dev.isolate.plan;

import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Namespace;
import java.util.ArrayList;
import java.util.List;

/**
 * --init: the command line of tini, which runs COMMAND as its child, forwards it the signals
 * isolate forwards to tini, reaps every orphan, and exits with COMMAND's status (128+N when
 * signal N killed it).
 */
final class InitSteps {
    /**
     * tini -s: without a PID namespace tini is not PID 1, so orphans reach it only as a child
     * subreaper (PR_SET_CHILD_SUBREAPER). Not -g: a signal isolate forwards reaches COMMAND
     * alone, as it does without --init (the terminal's Ctrl-C still reaches COMMAND's whole
     * process group, which tini makes the terminal's foreground group).
     */
    static final String SUBREAPER = "-s";

    private InitSteps() {
    }

    /** tini's arguments up to COMMAND: the program the child executes, its options, "--". */
    static List<String> arguments(ContainerSpec spec, String init) {
        List<String> arguments = new ArrayList<>();
        arguments.add(init);
        if (!spec.namespaces().contains(Namespace.PID)) {
            arguments.add(SUBREAPER);
        }
        arguments.add("--");
        return arguments;
    }
}
