package dev.isolate.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Lets an option that takes a value sit inside a cluster of flags with its value in the next
 * argument, as in {@code isolate -npumiC myhost true}. POSIX getopt would read "miC" as the
 * hostname; when every letter after {@code u} is a flag, isolate reads them as flags instead.
 * Anything else after it ({@code -umyhost}) stays an attached value.
 *
 * <p>Which options take a value is read off the parser's own model, and only the words before
 * COMMAND are looked at: an option's value ({@code -e A=1}) is skipped, never taken for a cluster.
 */
final class Clusters {
    private Clusters() {
    }

    /** @param root the top command: a first word that names one of its subcommands selects that one */
    static String[] expand(String[] args, CommandSpec root) {
        List<String> out = new ArrayList<>(args.length + 2);
        CommandSpec command = root;
        int i = 0;
        if (args.length > 0 && root.subcommands().containsKey(args[0])) {
            command = root.subcommands().get(args[0]).getCommandSpec();
            out.add(args[i++]);
        }
        for (; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--") || !isOption(command, arg)) {
                break; // COMMAND, or the first operand: nothing from here on is isolate's to rewrite
            }
            boolean valueFollows = arg.startsWith("--") ? !arg.contains("=") && takesValue(command.findOption(arg))
                    : cluster(command, arg, out);
            if (arg.startsWith("--")) {
                out.add(arg);
            }
            if (valueFollows && i + 1 < args.length && !isOption(command, args[i + 1])) {
                out.add(args[++i]);
            }
        }
        for (; i < args.length; i++) {
            out.add(args[i]);
        }
        return out.toArray(String[]::new);
    }

    /**
     * Adds a short-option cluster to {@code out}, split where a value option stands inside it.
     *
     * @return whether the cluster's last option takes its value from the next argument
     */
    private static boolean cluster(CommandSpec command, String arg, List<String> out) {
        for (int at = 1; at < arg.length(); at++) {
            OptionSpec option = command.findOption(arg.charAt(at));
            if (option == null) {
                break; // not ours: the parser says so
            }
            if (!takesValue(option)) {
                continue;
            }
            String after = arg.substring(at + 1);
            if (after.isEmpty()) {
                out.add(arg);
                return true;
            }
            if (!allFlags(command, after)) {
                break; // an attached value: -umyhost
            }
            if (at > 1) {
                out.add(arg.substring(0, at));
            }
            out.add("-" + after);
            out.add("-" + arg.charAt(at));
            return true;
        }
        out.add(arg);
        return false;
    }

    private static boolean isOption(CommandSpec command, String word) {
        if (word.length() < 2 || word.charAt(0) != '-') {
            return false;
        }
        if (word.startsWith("--")) {
            int equals = word.indexOf('=');
            return command.findOption(equals < 0 ? word : word.substring(0, equals)) != null;
        }
        return command.findOption(word.charAt(1)) != null;
    }

    private static boolean takesValue(OptionSpec option) {
        return option != null && option.arity().max() > 0;
    }

    private static boolean allFlags(CommandSpec command, String letters) {
        return letters.chars().allMatch(c -> {
            OptionSpec option = command.findOption((char) c);
            return option != null && !takesValue(option);
        });
    }
}
