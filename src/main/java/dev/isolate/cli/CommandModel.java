package dev.isolate.cli;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/**
 * isolate's commands as picocli models, built with picocli's programmatic API. picocli's
 * annotations are read by reflection at every start, for every option, before anything is
 * parsed; a launcher that wraps each command of a script pays that on every call. A model
 * built by hand costs only its objects, and after the parse each command reads its values
 * back from the option objects it kept ({@link #isSet}, {@link #value}, {@link #values}).
 */
final class CommandModel {
    private final CommandSpec spec;
    private final Map<String, String> exitCodes = new LinkedHashMap<>();

    private CommandModel(String name, Callable<Integer> action) {
        spec = withHelpAndVersion(CommandSpec.wrapWithoutInspection(action).name(name));
        spec.usageMessage().synopsisHeading("Usage: ").exitCodeListHeading("%nExit status:%n")
                .footerHeading("%nExamples:%n");
    }

    /** A command called {@code name} that does {@code action} once its command line is parsed. */
    static CommandModel command(String name, Callable<Integer> action) {
        return new CommandModel(name, action);
    }

    /**
     * A command called {@code name} with -h and -V alone, which parses a command line of one of
     * them: its help is the text the build rendered from the whole model (HelpTexts), found by
     * the name, and its version is every command's.
     */
    static CommandSpec helpAndVersionOnly(String name) {
        return withHelpAndVersion(CommandSpec.create().name(name));
    }

    private static CommandSpec withHelpAndVersion(CommandSpec spec) {
        // Texts as written: picocli would otherwise search every name and description for ${...}
        // lookups each time it reads one, an eighth of the parse.
        spec.interpolateVariables(false);
        spec.versionProvider(new Version());
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
        return spec;
    }

    /** The lines under the synopsis; as picocli prints them, each {@code %n} is a line break. */
    CommandModel description(String... lines) {
        spec.usageMessage().description(lines);
        return this;
    }

    /** A synopsis written out, for a command whose options are too many to list in one. */
    CommandModel synopsis(String... lines) {
        spec.usageMessage().customSynopsis(lines);
        return this;
    }

    CommandModel exitStatus(String status, String meaning) {
        exitCodes.put(status, meaning);
        return this;
    }

    /** run, exec and the bare form: the docker run / env convention. */
    CommandModel launchExitStatus() {
        return exitStatus("COMMAND's own", "COMMAND exited")
                .exitStatus("128+N", "signal N killed COMMAND (137: SIGKILL)")
                .exitStatus("125", "isolate failed: bad option, missing privilege, a setup step")
                .exitStatus("126", "COMMAND was found but cannot be executed")
                .exitStatus("127", "COMMAND was not found");
    }

    /** The commands that manage or show containers. */
    CommandModel doneExitStatus() {
        return exitStatus("0", "done").exitStatus("125", "isolate failed (bad option or NAME, no such container...)");
    }

    /** stop and rm, which act on every NAME they are given. */
    CommandModel eachNameExitStatus() {
        return exitStatus("0", "done")
                .exitStatus("1", "some NAME could not be acted on (each said why; the rest were)")
                .exitStatus("125", "bad option or NAME: nothing was done");
    }

    CommandModel examples(String... lines) {
        spec.usageMessage().footer(lines);
        return this;
    }

    CommandModel add(ArgSpec... args) {
        for (ArgSpec arg : args) {
            if (arg instanceof OptionSpec option) {
                spec.addOption(option);
            } else {
                spec.addPositional((PositionalParamSpec) arg);
            }
        }
        return this;
    }

    CommandSpec spec() {
        spec.usageMessage().exitCodeList(exitCodes);
        return spec;
    }

    /** An option without a value: given or not. */
    static OptionSpec flag(String description, String... names) {
        return OptionSpec.builder(names).arity("0").type(boolean.class).description(description).build();
    }

    /** An option that may be given several times, each time without a value: -v, -vv. */
    static OptionSpec countedFlag(String description, String... names) {
        return OptionSpec.builder(names).arity("0").type(boolean[].class).description(description).build();
    }

    /** An option with one value, which picocli converts to {@code type} (its message names a bad one). */
    static OptionSpec option(Class<?> type, String label, String description, String... names) {
        return OptionSpec.builder(names).type(type).paramLabel(label).description(description).build();
    }

    /** An option with one string value. */
    static OptionSpec option(String label, String description, String... names) {
        return option(String.class, label, description, names);
    }

    /** An option that may be given several times, with one string value each time. */
    static OptionSpec repeatable(String label, String description, String... names) {
        return OptionSpec.builder(names).type(List.class).auxiliaryTypes(String.class).paramLabel(label)
                .description(description).build();
    }

    /** One word after the options, at {@code index}; {@code arity} "0..1" makes it optional. */
    static PositionalParamSpec operand(String index, String arity, String label, String description) {
        return operandBuilder(index, arity, label, description).type(String.class).build();
    }

    /** The words after the options from {@code index} on; {@code arity} as picocli reads it ("1..*"). */
    static PositionalParamSpec operands(String index, String arity, String label, String description) {
        return operandBuilder(index, arity, label, description).type(List.class).auxiliaryTypes(String.class)
                .build();
    }

    /** picocli derives "required" from the arity only for annotations: a model built by hand says so. */
    private static PositionalParamSpec.Builder operandBuilder(String index, String arity, String label,
            String description) {
        return PositionalParamSpec.builder().index(index).arity(arity)
                .required(CommandLine.Range.valueOf(arity).min() > 0).paramLabel(label).description(description);
    }

    static boolean isSet(OptionSpec flag) {
        return Boolean.TRUE.equals(flag.getValue());
    }

    /** How many times a {@link #countedFlag} was given. */
    static int count(OptionSpec flag) {
        boolean[] given = flag.getValue();
        return given == null ? 0 : given.length;
    }

    /** The value given, converted to the option's type, or none. */
    static <T> Optional<T> value(ArgSpec arg) {
        return Optional.ofNullable(arg.getValue());
    }

    /** Every value given, in order. */
    static List<String> values(ArgSpec arg) {
        List<String> given = arg.getValue();
        return given == null ? List.of() : given;
    }

    /**
     * The values of several repeatable options in the order the command line gave them, each
     * with its option's longest name: a later --bind may land inside an earlier --tmpfs.
     */
    static List<Map.Entry<String, String>> inOrder(ParseResult parsed, OptionSpec... options) {
        Map<ArgSpec, Iterator<String>> remaining = new IdentityHashMap<>();
        for (OptionSpec option : options) {
            remaining.put(option, option.originalStringValues().iterator());
        }
        List<Map.Entry<String, String>> ordered = new ArrayList<>();
        for (ArgSpec matched : parsed.matchedArgs()) {
            Iterator<String> values = remaining.get(matched);
            if (values != null && values.hasNext()) {
                ordered.add(Map.entry(((OptionSpec) matched).longestName(), values.next()));
            }
        }
        return ordered;
    }
}
