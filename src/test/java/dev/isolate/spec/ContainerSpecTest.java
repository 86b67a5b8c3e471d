package dev.isolate.spec;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isolate.Fixtures;
import dev.isolate.exit.Failure;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContainerSpecTest {
    private static ContainerSpec withHostname(String name) {
        return new ContainerSpec(EnumSet.of(Namespace.UTS), Fixtures.HOST_NETWORK, Optional.empty(), Optional.of(name), TimeOffsets.NONE, Propagation.PRIVATE, Optional.empty(), Map.of(),
                Optional.empty(), RunAs.UNCHANGED, Containment.NONE, Resources.NONE, Tunables.NONE, false, false, List.of("true"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h", "myhost", "web-1", "a.b.example", "0abc",
        "a.23456789012345678901234567890123456789012345678901234567890123"})
    void validHostnames(String name) {
        assertDoesNotThrow(() -> withHostname(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-a", "a-", "a_b", "a..b", ".a", "a.", "white space", "é",
        "x234567890123456789012345678901234567890123456789012345678901234", // a 64-character label
        "x2345678901234567890123456789012345678901234567890123456789012345"})
    void invalidHostnames(String name) {
        assertThrows(Failure.class, () -> withHostname(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a\0b"})
    void badCommands(String name) {
        assertThrows(Failure.class, () -> new ContainerSpec(EnumSet.noneOf(Namespace.class), Fixtures.HOST_NETWORK, Optional.empty(),
                Optional.empty(), TimeOffsets.NONE, Propagation.PRIVATE, Optional.empty(), Map.of(), Optional.empty(),
                RunAs.UNCHANGED, Containment.NONE, Resources.NONE, Tunables.NONE, false, false, List.of(name)));
    }
}
