package dev.isolate.host.network;

import java.util.List;

/**
 * One change isolate makes to a network namespace's links, addresses or rules: what it is for
 * (named in its error), the commands an administrator would type for it (shown by -v and
 * --dry-run), and the making of it.
 */
record NetworkChange(String what, List<String> lines, Runnable make) {
    NetworkChange {
        lines = List.copyOf(lines);
    }
}
