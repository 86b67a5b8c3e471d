package dev.isolate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isolate.Fixtures;
import dev.isolate.exit.Failure;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.RunAs;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** -S, -G and --group-add into the spec's {@link RunAs}. */
class CredentialOptionsTest {
    private static ContainerSpec parse(String... args) {
        ParseResult result = Main.parse(args);
        CommandLine target = result.hasSubcommand() ? result.subcommand().commandSpec().commandLine()
                : result.commandSpec().commandLine();
        return ((LaunchCommand) target.getCommand()).options.toSpec(
                Fixtures.facts().environment(Map.of("HOME", "/root")).build());
    }

    @Test
    void withoutTheOptionsNothingChanges() {
        assertEquals(RunAs.UNCHANGED, parse("id").runAs());
        assertFalse(parse("id").runAs().changes());
    }

    @Test
    void namesAndNumbersAsGiven() {
        assertEquals(new RunAs(Optional.of("nobody"), Optional.of("100"), List.of("wheel", "27"), true),
                parse("-S", "nobody", "-G", "100", "--group-add", "wheel", "--group-add", "27", "id").runAs());
        assertEquals(new RunAs(Optional.of("65534"), Optional.empty(), List.of(), true),
                parse("--setuid=65534", "id").runAs());
        assertEquals(new RunAs(Optional.empty(), Optional.of("users"), List.of(), false),
                parse("run", "--setgid", "users", "-p", "id").runAs(), "-G alone leaves HOME alone");
        assertEquals(new RunAs(Optional.empty(), Optional.empty(), List.of("7"), false),
                parse("--group-add", "7", "id").runAs());
    }

    @Test
    void theyClusterAfterFlagsAndTheirValuesMayBeAttached() {
        assertEquals(Optional.of("1000"), parse("-pS", "1000", "id").runAs().user());
        assertEquals(Optional.of("1000"), parse("-S1000", "-G1000", "id").runAs().group());
    }

    @Test
    void aHomeGivenWithEnvOrNoEnvironmentAtAllIsLeftAlone() {
        assertFalse(parse("-S", "nobody", "-e", "HOME=/srv", "id").runAs().setsHome());
        assertFalse(parse("-S", "nobody", "-e", "HOME", "id").runAs().setsHome());
        assertFalse(parse("-S", "nobody", "--clear-env", "id").runAs().setsHome());
        assertEquals(true, parse("-S", "nobody", "-e", "HOMEDIR=/x", "id").runAs().setsHome());
    }

    @Test
    void badValuesAreOneLine() {
        assertEquals("-S 4294967295: ids are below 4294967295",
                assertThrows(Failure.class, () -> parse("-S", "4294967295", "id")).getMessage());
        assertEquals("-G 99999999999: ids are below 4294967295",
                assertThrows(Failure.class, () -> parse("-G", "99999999999", "id")).getMessage());
        assertEquals("--group-add \"a:b\": not a number, nor a name (a name has no ':' or line break)",
                assertThrows(Failure.class, () -> parse("--group-add", "a:b", "id")).getMessage());
        assertEquals("-S: the user or group is empty",
                assertThrows(Failure.class, () -> parse("-S", "", "id")).getMessage());
    }
}
