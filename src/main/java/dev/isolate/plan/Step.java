package dev.isolate.plan;

import java.util.List;

/**
 * One system call of the child program.
 *
 * @param what how the step is named when it fails: {@code isolate: <what>: <errno text>}
 */
public record Step(Call call, List<Arg> args, Check check, String what) {
    public static final int MAX_ARGS = 6;

    public Step {
        args = List.copyOf(args);
        if (args.size() > MAX_ARGS) {
            throw new IllegalArgumentException(call + " takes at most " + MAX_ARGS + " arguments");
        }
        for (int i = 1; i < args.size(); i++) {
            if (args.get(i) instanceof Arg.PreviousResult) {
                throw new IllegalArgumentException("only the first argument can be the previous result");
            }
        }
    }

    static Step of(Call call, Check check, String what, Arg... args) {
        return new Step(call, List.of(args), check, what);
    }

    public boolean usesPreviousResult() {
        return !args.isEmpty() && args.get(0) instanceof Arg.PreviousResult;
    }
}
