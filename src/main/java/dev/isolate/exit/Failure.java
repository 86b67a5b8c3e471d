package dev.isolate.exit;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * Why isolate could not do what it was asked: the one line it prints after {@code isolate: },
 * and the exit status it then ends with. Every failure meant for the user is one of these;
 * cli/Main prints it, and anything else is an internal error.
 */
public final class Failure extends RuntimeException {
    /** What went wrong, for a caller that handles one kind differently from another. */
    public enum Kind {
        /** What was asked cannot be done as asked: a bad option, a missing file, a name in use. */
        INPUT,
        /** A step of the work failed: a system call in the child, a tool on the host, I/O. */
        STEP,
        /** The command itself could not be executed, or was not found. */
        EXEC
    }

    private final Kind kind;
    private final int exitStatus;

    private Failure(Kind kind, String message, int exitStatus) {
        super(message, null, false, false);
        this.kind = kind;
        this.exitStatus = exitStatus;
    }

    /** Bad input: isolate ends with {@link ExitStatus#SETUP_FAILED}. */
    public static Failure input(String message) {
        return new Failure(Kind.INPUT, message, ExitStatus.SETUP_FAILED);
    }

    /** A failed step: isolate ends with {@link ExitStatus#SETUP_FAILED}. */
    public static Failure step(String message) {
        return new Failure(Kind.STEP, message, ExitStatus.SETUP_FAILED);
    }

    /** execve failed: isolate ends with 126 or 127, as {@link ExitStatus#ofExecError} says. */
    public static Failure exec(String message, int errno) {
        return new Failure(Kind.EXEC, message, ExitStatus.ofExecError(errno));
    }

    public Kind kind() {
        return kind;
    }

    public int exitStatus() {
        return exitStatus;
    }

    /**
     * The reason of a file operation that failed, for a message that names the file already:
     * Java's own messages for these are the file's name alone.
     */
    public static String reason(IOException e) {
        String reason = e instanceof NoSuchFileException ? "no such file or directory"
                : e instanceof AccessDeniedException ? "permission denied"
                : e instanceof FileAlreadyExistsException ? "already exists"
                : e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                : e instanceof FileNotFoundException ? javaIoReason(e.getMessage()) : e.getMessage();
        return reason == null ? e.getClass().getSimpleName() : reason;
    }

    /** java.io names the file and then the reason: "/proc/1/stat (No such file or directory)". */
    private static String javaIoReason(String message) {
        int open = message == null ? -1 : message.lastIndexOf(" (");
        if (open < 0 || !message.endsWith(")") || open + 3 > message.length() - 1) {
            return message;
        }
        return Character.toLowerCase(message.charAt(open + 2)) + message.substring(open + 3, message.length() - 1);
    }
}
