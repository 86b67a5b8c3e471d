package dev.isolate.cli.runtime;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * isolate-runtime's commands as picocli models built by hand, as isolate's own are (no
 * annotations read by reflection at start: engines run the runtime several times for every
 * container). Each command keeps its option objects and reads the values back after the parse.
 * These few builders mirror cli.CommandModel's: cli's Main dispatches to this package, so it
 * cannot use cli's own without a package cycle.
 */
final class Specs {
    private Specs() {
    }

    /** A command called {@code name} doing {@code action}, with these options and operands. */
    static CommandSpec command(String name, String description, Callable<Integer> action, ArgSpec... args) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(action).name(name).interpolateVariables(false);
        spec.usageMessage().description(description);
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help.").build());
        for (ArgSpec arg : args) {
            if (arg instanceof OptionSpec option) {
                spec.addOption(option);
            } else {
                spec.addPositional((PositionalParamSpec) arg);
            }
        }
        return spec;
    }

    static OptionSpec flag(String description, String... names) {
        return OptionSpec.builder(names).arity("0").type(boolean.class).description(description).build();
    }

    static OptionSpec option(String label, String description, String... names) {
        return OptionSpec.builder(names).type(String.class).paramLabel(label).description(description).build();
    }

    static OptionSpec repeatable(String label, String description, String... names) {
        return OptionSpec.builder(names).type(List.class).auxiliaryTypes(String.class).paramLabel(label)
                .description(description).build();
    }

    /** The container id, the first operand of every command that acts on one. */
    static PositionalParamSpec id() {
        return operand("0", "1", "ID", "the container's id");
    }

    static PositionalParamSpec operand(String index, String arity, String label, String description) {
        return PositionalParamSpec.builder().index(index).arity(arity)
                .required(CommandLine.Range.valueOf(arity).min() > 0).type(String.class).paramLabel(label)
                .description(description).build();
    }

    static PositionalParamSpec operands(String index, String arity, String label, String description) {
        return PositionalParamSpec.builder().index(index).arity(arity)
                .required(CommandLine.Range.valueOf(arity).min() > 0).type(List.class)
                .auxiliaryTypes(String.class).paramLabel(label).description(description).build();
    }

    static boolean isSet(OptionSpec flag) {
        return Boolean.TRUE.equals(flag.getValue());
    }

    static Optional<String> value(ArgSpec arg) {
        return Optional.ofNullable(arg.getValue());
    }

    static List<String> values(ArgSpec arg) {
        List<String> given = arg.getValue();
        return given == null ? List.of() : given;
    }
}
