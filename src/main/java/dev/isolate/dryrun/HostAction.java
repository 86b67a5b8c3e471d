package dev.isolate.dryrun;

import java.util.List;

/**
 * One thing a launch does on the host, as a dry run shows it instead of doing it: a sentence,
 * and the commands or contents behind it verbatim (an ip batch, an nft script, a record).
 *
 * @param stage when the launch does it
 */
public record HostAction(Stage stage, String what, List<String> lines) {
    public enum Stage {
        /** Before the clone: the image, scratch space, addresses, the record of the name. */
        BEFORE_CLONE,
        /** While the child waits on the handshake, after the parent's steps: plugging in its network. */
        WHILE_CHILD_WAITS
    }

    public HostAction {
        lines = List.copyOf(lines);
    }

    public static HostAction before(String what, List<String> lines) {
        return new HostAction(Stage.BEFORE_CLONE, what, lines);
    }

    public static HostAction whileWaiting(String what, List<String> lines) {
        return new HostAction(Stage.WHILE_CHILD_WAITS, what, lines);
    }
}
