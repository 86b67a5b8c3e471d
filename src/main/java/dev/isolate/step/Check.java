package dev.isolate.step;

/** How the child judges a step's result; failing a step ends the child with status 125. */
public record Check(long code) {
    /** Fail on any error result. */
    public static final Check SUCCESS = new Check(-1);
    /** Never fail. */
    public static final Check IGNORE = new Check(-2);
    /** One execve of execvp's PATH walk: not-found and permission errors move on to the next. */
    public static final Check EXEC_CANDIDATE = new Check(-3);
    /** Fail on any error but EEXIST: for creating something that may already be there. */
    public static final Check SUCCESS_OR_EXISTS = new Check(-4);
    /**
     * A clone in the child: the new process goes on with the program; the one that cloned
     * reports the new pid to isolate (see {@link LaunchPlan#NEW_PROCESS}) and exits.
     */
    public static final Check CLONED = new Check(-5);
    /**
     * One probe of execvp's PATH walk for a command that the next step's program (an init)
     * executes: found, the next step runs; not found or not permitted, it is skipped and the
     * error remembered as for {@link #EXEC_CANDIDATE}.
     */
    public static final Check EXEC_PROBE = new Check(-6);

    public Check {
        if (code < -6) {
            throw new IllegalArgumentException("unknown check " + code);
        }
    }

    /**
     * Written out because every launch compares checks: the generated equals would spin method
     * handles (java.lang.runtime.ObjectMethods) at its first call, 10-25 ms of each start.
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof Check check && check.code == code;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(code);
    }

    /** Fail unless the result is exactly {@code n}, such as a full read or write. */
    public static Check exactly(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("an exact result is not negative");
        }
        return new Check(n);
    }
}
