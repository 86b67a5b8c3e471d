package dev.isolate.step;

/**
 * The two close-on-exec pipes between isolate and its child.
 *
 * <p>Report (child to parent): the child writes {@link LaunchPlan#ARMED} once its parent-death
 * signal is set, then either nothing (execve closes the pipe: end-of-file means the command
 * runs) or one failure word naming the step and errno. Release (parent to child): the child
 * blocks until the parent has finished its side of the setup and sends one byte; end-of-file
 * instead means the parent died, and the child exits rather than run unsupervised. The child
 * may pause again later ({@link Pause}): it reports {@link LaunchPlan#PAUSED} and reads another
 * byte, so the release pipe's write end stays open in the parent until the last pause.
 *
 * <p>A descriptor the child hands over at a pause is put at the number of {@link
 * End#REPORT_READ} in its table: the child keeps its copy of that end open until then instead of
 * closing it first, so no descriptor it opens meanwhile can take the number, and the parent
 * knows where to look.
 *
 * <p>A plan names the ends ({@link End}, through {@link Arg.Pipe}); the supervisor opens the
 * pipes for each launch, and the program image puts their numbers in.
 */
public record Handshake(int reportRead, int reportWrite, int releaseRead, int releaseWrite) {
    public enum End { REPORT_READ, REPORT_WRITE, RELEASE_READ, RELEASE_WRITE }

    public int fd(End end) {
        return switch (end) {
            case REPORT_READ -> reportRead;
            case REPORT_WRITE -> reportWrite;
            case RELEASE_READ -> releaseRead;
            case RELEASE_WRITE -> releaseWrite;
        };
    }
}
