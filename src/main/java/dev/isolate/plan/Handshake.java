package dev.isolate.plan;

/**
 * The two close-on-exec pipes between isolate and its child.
 *
 * <p>Report (child to parent): the child writes {@link LaunchPlan#ARMED} once its parent-death
 * signal is set, then either nothing (execve closes the pipe: end-of-file means the command
 * runs) or one failure word naming the step and errno. Release (parent to child): the child
 * blocks until the parent has finished its side of the setup and sends one byte; end-of-file
 * instead means the parent died, and the child exits rather than run unsupervised.
 */
public record Handshake(int reportRead, int reportWrite, int releaseRead, int releaseWrite) {
}
