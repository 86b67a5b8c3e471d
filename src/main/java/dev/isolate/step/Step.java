package dev.isolate.step;

import java.util.List;
import java.util.Optional;

/**
 * One system call of the child program.
 *
 * @param saveIn where the child keeps the result for later steps, if anywhere
 * @param what   how the step is named when it fails: {@code isolate: <what>: <errno text>}
 */
public record Step(Call call, List<Arg> args, Check check, Optional<Slot> saveIn, String what) {
    public static final int MAX_ARGS = 6;

    public Step {
        args = List.copyOf(args);
        if (args.size() > MAX_ARGS) {
            throw new IllegalArgumentException(call + " takes at most " + MAX_ARGS + " arguments");
        }
    }

    public static Step of(Call call, Check check, String what, Arg... args) {
        return new Step(call, List.of(args), check, Optional.empty(), what);
    }

    /** The same step, keeping its result in {@code slot}. */
    public Step savingIn(Slot slot) {
        return new Step(call, args, check, Optional.of(slot), what);
    }
}
