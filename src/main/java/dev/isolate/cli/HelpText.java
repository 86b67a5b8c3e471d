package dev.isolate.cli;

/** Lines that several commands' --help share; constants, so that annotations can use them. */
final class HelpText {
    static final String EXIT_STATUS = "Exit status:";
    /** run, exec and the bare form: the docker run / env convention. */
    static final String LAUNCH_STATUS_1 = "  COMMAND's own; 128+N if signal N killed it; 125 if isolate failed;";
    static final String LAUNCH_STATUS_2 = "  126 if COMMAND cannot be executed; 127 if it was not found.";

    private HelpText() {
    }
}
