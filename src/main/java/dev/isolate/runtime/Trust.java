package dev.isolate.runtime;

import dev.isolate.exit.Failure;
import java.io.IOException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Files;
import java.util.Map;

/** What a file in the state directory must be before isolate-runtime believes what it says. */
final class Trust {
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    /** Group and others: no permission at all for a container's own files, no write for the state directory. */
    private static final int OTHERS_ANY = 077;
    private static final int OTHERS_WRITE = 022;

    private Trust() {
    }

    /**
     * A directory (not a link to one) owned by {@code uid}; {@code privateOnly}: with no
     * permission for group or others, else none to write.
     */
    static void requireOwnDirectory(Path directory, long uid, String what, boolean privateOnly) {
        require(directory, uid, what, S_IFDIR, privateOnly ? OTHERS_ANY : OTHERS_WRITE);
    }

    /** A regular file (not a link) owned by {@code uid}, writable by no one else. */
    static void requireOwnFile(Path file, long uid, String what) {
        require(file, uid, what, S_IFREG, OTHERS_WRITE);
    }

    private static void require(Path path, long uid, String what, int type, int forbidden) {
        Map<String, Object> attributes;
        try {
            attributes = Files.readAttributes(path, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw Failure.input(what + " " + path + ": no such file or directory");
        } catch (IOException e) {
            throw Failure.step(what + " " + path + ": " + Failure.reason(e));
        }
        int owner = (Integer) attributes.get("uid");
        int mode = (Integer) attributes.get("mode");
        if ((mode & S_IFMT) != type) {
            throw Failure.input(what + " " + path + ": not a " + (type == S_IFDIR ? "directory" : "regular file"));
        }
        if (owner != uid) {
            throw Failure.input(what + " " + path + ": owned by uid " + owner + ", not " + uid + ": not trusted");
        }
        if ((mode & forbidden) != 0) {
            throw Failure.input(what + " " + path + ": mode " + Integer.toOctalString(mode & 07777)
                    + " lets others " + (forbidden == OTHERS_WRITE ? "write it" : "in") + ": not trusted");
        }
    }
}
