package dev.isolate.step;

import java.util.Arrays;

/**
 * A classic BPF program for seccomp(SECCOMP_SET_MODE_FILTER): struct sock_filter
 * instructions of 8 bytes each, in native order, as libseccomp exports them.
 */
public record SocketFilter(byte[] instructions) {
    public static final int INSTRUCTION_SIZE = 8;
    /** BPF_MAXINSNS: the kernel refuses longer programs. */
    public static final int MAX_INSTRUCTIONS = 4096;

    public SocketFilter {
        if (instructions.length == 0 || instructions.length % INSTRUCTION_SIZE != 0
                || instructions.length / INSTRUCTION_SIZE > MAX_INSTRUCTIONS) {
            throw new IllegalArgumentException("not a BPF program of 1 to " + MAX_INSTRUCTIONS + " instructions");
        }
        instructions = instructions.clone();
    }

    @Override
    public byte[] instructions() {
        return instructions.clone();
    }

    public int length() {
        return instructions.length / INSTRUCTION_SIZE;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SocketFilter f && Arrays.equals(instructions, f.instructions);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(instructions);
    }

    @Override
    public String toString() {
        return "SocketFilter[" + length() + " instructions]";
    }
}
