package dev.isolate.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Lets {@code -u} sit inside a cluster of flags with its hostname in the next argument, as
 * in {@code isolate -npumiC myhost true}. POSIX getopt would read "miC" as the hostname;
 * when every letter after {@code u} is a flag that takes no value, isolate reads them as
 * flags instead. Anything else after {@code u} ({@code -umyhost}) stays an attached value.
 */
final class Clusters {
    /** Short options that take no value. */
    private static final String FLAGS = "npmiCTUrvhVd";

    private Clusters() {
    }

    static String[] expand(String[] args) {
        List<String> out = new ArrayList<>(args.length + 2);
        boolean options = true;
        for (String arg : args) {
            if (options && arg.length() > 2 && arg.charAt(0) == '-' && arg.charAt(1) != '-') {
                int u = arg.indexOf('u');
                String before = arg.substring(1, Math.max(u, 1));
                String after = u < 0 ? "" : arg.substring(u + 1);
                if (u > 0 && !after.isEmpty() && allFlags(before) && allFlags(after)) {
                    if (!before.isEmpty()) {
                        out.add("-" + before);
                    }
                    out.add("-" + after);
                    out.add("-u");
                    continue;
                }
            } else if (options && !arg.startsWith("-") || arg.equals("--")) {
                // Only options before COMMAND are isolate's; "run" is the subcommand's name.
                options = arg.equals("run");
            }
            out.add(arg);
        }
        return out.toArray(String[]::new);
    }

    private static boolean allFlags(String letters) {
        return letters.chars().allMatch(c -> FLAGS.indexOf(c) >= 0);
    }
}
