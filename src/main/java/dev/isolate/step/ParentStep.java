package dev.isolate.step;

import java.util.List;

/** Work the parent does while the child waits for its release, such as writing id maps. */
public sealed interface ParentStep {
    /** How the step is named when it fails. */
    String what();

    /** Writes {@code content} to /proc/CHILD/{@code file} in one write(2). */
    record WriteProcFile(String file, String content, String what) implements ParentStep {
    }

    /**
     * Takes a copy of the descriptor the child keeps at the number of {@code at} in its own
     * table (pidfd_open, then pidfd_getfd), such as a terminal's master opened inside the
     * container. The copy is the parent's, close-on-exec, for the rest of the launch.
     */
    record TakeDescriptor(Handshake.End at, String what) implements ParentStep {
    }

    /** Runs {@code program CHILD args...}, such as newuidmap; a non-zero exit fails the launch. */
    record RunHelper(String program, List<String> args, String what) implements ParentStep {
        public RunHelper {
            args = List.copyOf(args);
        }
    }
}
