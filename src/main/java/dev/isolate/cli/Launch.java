package dev.isolate.cli;

import dev.isolate.spec.ContainerSpec;
import dev.isolate.supervise.Supervisor;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Wires parsed options to the supervisor. */
final class Launch {
    /**
     * Set by scripts/isolate to move the JVM's internal suspend signal off SIGUSR2, so that
     * isolate can forward SIGUSR2; it is not the user's, so COMMAND does not inherit it.
     */
    static final String JVM_SIGNAL_VARIABLE = "_JAVA_SR_SIGNUM";
    /** Descriptors above 2 that isolate's caller passed in, as listed by scripts/isolate. */
    static final String PASSED_FDS_PROPERTY = "isolate.passed-fds";

    private Launch() {
    }

    static int run(RunOptions options) {
        Main.verbosity = options.verbosity();
        ContainerSpec spec = options.toSpec(callerEnvironment());
        Consumer<Supplier<String>> diagnostics = options.verbosity() > 0 ? Diagnostics.logger() : message -> { };
        return new Supervisor(diagnostics).run(spec, passedFds(System.getProperty(PASSED_FDS_PROPERTY, "")));
    }

    static Map<String, String> callerEnvironment() {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.remove(JVM_SIGNAL_VARIABLE);
        return environment;
    }

    static Set<Integer> passedFds(String list) {
        Set<Integer> fds = new TreeSet<>();
        for (String fd : list.split(",")) {
            if (!fd.isBlank()) {
                int n = Integer.parseInt(fd.trim());
                if (n > 2) {
                    fds.add(n);
                }
            }
        }
        return fds;
    }
}
