package dev.isolate.startup;

import dev.isolate.host.CallerBytes;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.NativeStrings;
import dev.isolate.sys.Syscall;
import java.util.ArrayList;
import java.util.List;

/**
 * This JVM started again, in place (execve of /proc/self/exe: same pid, same descriptors,
 * same environment, the caller's exact bytes), without the cache it was started with. Used
 * when the cache turns out to be stale: the classes running may then be old ones.
 */
final class Restart {
    private Restart() {
    }

    /**
     * A JVM command line without the cache's options. Only the JVM's own words are looked at,
     * those before main's last {@code arguments} words: these are isolate's, COMMAND's among them.
     */
    static List<String> withoutCache(List<String> commandLine, int arguments) {
        int jvm = Math.max(1, commandLine.size() - arguments);
        List<String> words = new ArrayList<>(commandLine.subList(0, 1));
        for (String word : commandLine.subList(1, jvm)) {
            if (!JvmCache.startedWith(word)) {
                words.add(word);
            }
        }
        words.addAll(commandLine.subList(jvm, commandLine.size()));
        return words;
    }

    /** Replaces this JVM, whose main got {@code arguments} words; returns only if execve failed, with its errno. */
    static int withoutCache(int arguments) {
        List<String> argv = withoutCache(CallerBytes.commandLine(), arguments);
        Kernel kernel = Kernel.get();
        try (NativeStrings natives = new NativeStrings(kernel.memory())) {
            long result = kernel.call(Syscall.EXECVE, natives.string("/proc/self/exe"), natives.array(argv),
                    natives.array(CallerBytes.environ()));
            return (int) -result;
        }
    }
}
