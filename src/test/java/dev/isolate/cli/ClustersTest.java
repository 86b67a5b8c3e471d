package dev.isolate.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class ClustersTest {
    private static void assertExpands(String[] in, String... out) {
        assertArrayEquals(out, Clusters.expand(in));
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
}
