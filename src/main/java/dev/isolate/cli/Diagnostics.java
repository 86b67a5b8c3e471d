package dev.isolate.cli;

import dev.isolate.exit.Messages;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** -v output through slf4j-simple on stderr; only loaded when -v is given. */
final class Diagnostics {
    private Diagnostics() {
    }

    /** A sink for -v messages: nothing is built or printed without -v. */
    static Consumer<Supplier<String>> of(int verbosity) {
        if (verbosity == 0) {
            return message -> { };
        }
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
        System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "true");
        Logger log = LoggerFactory.getLogger("isolate");
        // A -v message may be a listing of several lines (the launch plan): each is made safe alone.
        return message -> log.debug(message.get().lines().map(Messages::line)
                .collect(Collectors.joining("\n")));
    }
}
