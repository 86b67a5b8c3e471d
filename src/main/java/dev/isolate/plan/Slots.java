package dev.isolate.plan;

import dev.isolate.step.Slot;

/**
 * Every slot the child's steps keep a result in, numbered in one place so that two
 * producers of steps never share one by accident. Each holds a descriptor the child opened
 * itself, from the step that opens it to the steps that use it.
 */
final class Slots {
    /** A descriptor used right after it is opened: the socket that brings lo up, timens_offsets. */
    static final Slot OPENED = new Slot(1);
    /** The container's root: every path inside it is resolved from here. */
    static final Slot ROOT = new Slot(2);
    /** The host's root, from before pivot_root until it is detached. */
    static final Slot OLD_ROOT = new Slot(3);
    /** A detached mount, from open_tree or fsmount until it is attached. */
    static final Slot TREE = new Slot(4);
    /** Where that mount is attached, resolved inside the root. */
    static final Slot TARGET = new Slot(5);
    /** The directory a mount point is created in. */
    static final Slot PARENT = new Slot(6);
    /** A filesystem context from fsopen, until fsmount. */
    static final Slot CONTEXT = new Slot(7);
    /** -t: the pseudo-terminal's master, from its opening until it is handed to the parent. */
    static final Slot TERMINAL_MASTER = new Slot(8);
    /** -t: its peer, from its opening until it is the command's stdin, stdout and stderr. */
    static final Slot TERMINAL_PEER = new Slot(9);

    private Slots() {
    }
}
