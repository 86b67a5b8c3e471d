package dev.isolate.cli;

/** Parts of --help that several commands share; constants, so that annotations can use them. */
final class HelpText {
    static final String EXAMPLES = "%nExamples:%n";
    static final String EXIT_STATUS = "%nExit status:%n";

    /** run, exec and the bare form: the docker run / env convention. */
    static final String COMMANDS_OWN = "COMMAND's own:COMMAND exited";
    static final String SIGNALLED = "128+N:signal N killed COMMAND (137: SIGKILL)";
    static final String FAILED = "125:isolate failed: bad option, missing privilege, a setup step";
    static final String CANNOT_EXECUTE = "126:COMMAND was found but cannot be executed";
    static final String NOT_FOUND = "127:COMMAND was not found";

    /** The commands that manage or show containers. */
    static final String DONE = "0:done";
    static final String NOT_DONE = "125:isolate failed (bad option or NAME, no such container...)";
    /** stop and rm, which act on every NAME they are given. */
    static final String SOME_NAMES_FAILED = "1:some NAME could not be acted on (each said why; the rest were)";
    static final String NOTHING_DONE = "125:bad option or NAME: nothing was done";

    private HelpText() {
    }
}
