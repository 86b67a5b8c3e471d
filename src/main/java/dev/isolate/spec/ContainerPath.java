package dev.isolate.spec;

import dev.isolate.exit.Failure;
import java.util.ArrayDeque;
import java.util.Deque;

/** Paths inside the container, checked before anything is mounted. */
public final class ContainerPath {
    private ContainerPath() {
    }

    /**
     * The absolute path without ".", ".." or repeated slashes. A ".." that would climb above
     * the root is refused rather than clamped: the user meant a host path, or made a mistake.
     * Symbolic links inside the image are resolved later, inside the root.
     */
    public static String normalize(String what, String path) {
        CStrings.requireNoNul(what, path);
        if (!path.startsWith("/")) {
            throw Failure.input(what + " \"" + path + "\": must be an absolute path inside the container");
        }
        Deque<String> names = new ArrayDeque<>();
        for (String name : path.split("/")) {
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (names.isEmpty()) {
                    throw Failure.input(what + " \"" + path + "\": leaves the container's root through ..");
                }
                names.removeLast();
            } else {
                names.addLast(name);
            }
        }
        if (names.isEmpty()) {
            throw Failure.input(what + " \"" + path + "\": cannot be the container's root itself");
        }
        return "/" + String.join("/", names);
    }
}
