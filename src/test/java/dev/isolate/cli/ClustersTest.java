package dev.isolate.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class ClustersTest {
    private static void assertExpands(String[] in, String... out) {
        assertArrayEquals(out, Clusters.expand(in, Main.commandLine(in).getCommandSpec()));
    }

    @Test
    void hostnameAtTheEndOfAClusterIsUntouched() {
        assertExpands(new String[] {"-npu", "myhost", "bash"}, "-npu", "myhost", "bash");
    }

    @Test
    void flagsAfterUInAClusterTakeTheHostnameFromTheNextArgument() {
        assertExpands(new String[] {"-npumiC", "h", "true"}, "-np", "-miC", "-u", "h", "true");
        assertExpands(new String[] {"-umi", "h", "true"}, "-mi", "-u", "h", "true");
        assertExpands(new String[] {"-Unpur", "h", "id"}, "-Unp", "-r", "-u", "h", "id");
    }

    @Test
    void anAttachedHostnameStaysAttached() {
        assertExpands(new String[] {"-umyhost", "true"}, "-umyhost", "true");
    }

    @Test
    void argumentsOfTheCommandAreNeverRewritten() {
        assertExpands(new String[] {"-p", "ls", "-umi"}, "-p", "ls", "-umi");
        assertExpands(new String[] {"--", "-umi"}, "--", "-umi");
    }

    @Test
    void theRunSubcommandKeepsItsOptionsExpandable() {
        assertExpands(new String[] {"run", "-pumi", "h", "sh"}, "run", "-p", "-mi", "-u", "h", "sh");
    }

    @Test
    void theValueOfAnOptionIsNeverTakenForACluster() {
        assertExpands(new String[] {"-e", "A=1", "-pumiC", "h", "sh"}, "-e", "A=1", "-p", "-miC", "-u", "h", "sh");
        assertExpands(new String[] {"-R", "rootfs", "-npumiC", "h", "sh"},
                "-R", "rootfs", "-np", "-miC", "-u", "h", "sh");
        assertExpands(new String[] {"-w", "/tmp", "-npumiC", "h", "hostname"},
                "-w", "/tmp", "-np", "-miC", "-u", "h", "hostname");
        assertExpands(new String[] {"--env", "miC", "-pumi", "h", "x"}, "--env", "miC", "-p", "-mi", "-u", "h", "x");
        assertExpands(new String[] {"--workdir=/x", "-umi", "h", "x"}, "--workdir=/x", "-mi", "-u", "h", "x");
    }

    @Test
    void aValueOptionEndingAClusterTakesTheNextWordAsItIs() {
        assertExpands(new String[] {"-pe", "umi", "-umi", "h", "true"}, "-pe", "umi", "-mi", "-u", "h", "true");
        assertExpands(new String[] {"-pw", "/tmp", "-umi", "h", "x"}, "-pw", "/tmp", "-mi", "-u", "h", "x");
    }

    @Test
    void nothingFromCommandOnIsRewritten() {
        assertExpands(new String[] {"-p", "run", "-nup", "x"}, "-p", "run", "-nup", "x");
        assertExpands(new String[] {"-p", "sh", "-c", "-umi"}, "-p", "sh", "-c", "-umi");
        assertExpands(new String[] {"--network", "-pumi", "h", "x"}, "--network", "-p", "-mi", "-u", "h", "x");
        assertExpands(new String[] {"--network", "veth", "-umi", "h", "x"}, "--network", "veth", "-mi", "-u", "h", "x");
    }

    @Test
    void unknownOptionsAreLeftForTheParserToRefuse() {
        assertExpands(new String[] {"-pumz", "h", "x"}, "-pumz", "h", "x");
        assertExpands(new String[] {"--bogus", "-umi", "h"}, "--bogus", "-umi", "h");
    }

    @Test
    void execsOwnOptionsAreReadOffExec() {
        // exec's -u is a flag: its clusters are all flags and stay as they are.
        assertExpands(new String[] {"exec", "-nu", "web", "-umi"}, "exec", "-nu", "web", "-umi");
        assertExpands(new String[] {"exec", "-e", "-nu", "-nu", "web", "sh"}, "exec", "-e", "-nu", "-nu", "web", "sh");
    }
}
