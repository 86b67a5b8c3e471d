package dev.isolate.it;

/** The command-line cases again, as the unprivileged user nobody. */
class RootlessCommandLineIT extends CommandLineIT {
    @Override
    Isolate isolate() {
        return Isolate.asNobody(RootlessCopy.script());
    }
}
