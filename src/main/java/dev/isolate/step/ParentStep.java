package dev.isolate.step;

import java.util.List;

/** Work the parent does while the child waits for its release, such as writing id maps. */
public sealed interface ParentStep {
    /** How the step is named when it fails. */
    String what();

    /** Writes {@code content} to /proc/CHILD/{@code file} in one write(2). */
    record WriteProcFile(String file, String content, String what) implements ParentStep {
    }

    /** Runs {@code program CHILD args...}, such as newuidmap; a non-zero exit fails the launch. */
    record RunHelper(String program, List<String> args, String what) implements ParentStep {
        public RunHelper {
            args = List.copyOf(args);
        }
    }
}
