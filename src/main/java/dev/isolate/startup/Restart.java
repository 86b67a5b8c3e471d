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
     * those before -jar and its jar: what follows is isolate's arguments, COMMAND's among them.
     */
    static List<String> withoutCache(List<String> commandLine) {
        List<String> words = new ArrayList<>();
        int i = 0;
        for (; i < commandLine.size(); i++) {
            String word = commandLine.get(i);
            if (word.equals("-jar")) {
                break;
            }
            if (i == 0 || !JvmCache.startedWith(word)) {
                words.add(word);
            }
        }
        words.addAll(commandLine.subList(i, commandLine.size()));
        return words;
    }

    /** Replaces this JVM; returns only if execve failed, with its errno. */
    static int withoutCache() {
        List<String> argv = withoutCache(CallerBytes.commandLine());
        Kernel kernel = Kernel.get();
        try (NativeStrings natives = new NativeStrings(kernel.memory())) {
            long result = kernel.call(Syscall.EXECVE, natives.string("/proc/self/exe"), natives.array(argv),
                    natives.array(CallerBytes.environ()));
            return (int) -result;
        }
    }
}
