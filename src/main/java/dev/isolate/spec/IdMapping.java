package dev.isolate.spec;

import dev.isolate.exit.Failure;

/**
 * One line of a uid_map or gid_map: ids {@code inner..inner+count-1} inside the user
 * namespace are ids {@code outer..outer+count-1} outside.
 */
public record IdMapping(long inner, long outer, long count) {
    /** Ids are 32 bits and (uid_t)-1 is never valid. */
    public static final long ID_LIMIT = 0xFFFF_FFFFL;

    public IdMapping {
        if (inner < 0 || outer < 0 || count < 1 || inner + count > ID_LIMIT || outer + count > ID_LIMIT) {
            throw Failure.input("id range " + inner + ":" + outer + ":" + count + ": needs ids from 0 and a count of at least 1, all below " + ID_LIMIT);
        }
    }

    /** Parses {@code INNER:OUTER:COUNT}. */
    public static IdMapping parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 3) {
            throw Failure.input("id range \"" + text + "\": expected INNER:OUTER:COUNT");
        }
        try {
            return new IdMapping(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        } catch (NumberFormatException e) {
            throw Failure.input("id range \"" + text + "\": expected INNER:OUTER:COUNT, in decimal");
        }
    }

    /** The range as --map-users and --map-groups spell it: {@code INNER:OUTER:COUNT}. */
    public String asOption() {
        return inner + ":" + outer + ":" + count;
    }

    boolean innerOverlaps(IdMapping other) {
        return inner < other.inner + other.count && other.inner < inner + count;
    }

    boolean outerOverlaps(IdMapping other) {
        return outer < other.outer + other.count && other.outer < outer + count;
    }

    /** The line as the kernel and newuidmap read it. */
    @Override
    public String toString() {
        return inner + " " + outer + " " + count;
    }
}
