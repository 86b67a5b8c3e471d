package dev.isolate.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpellingTest {
    private static final List<String> COMMANDS = List.of("run", "exec", "ps", "logs", "stop", "kill", "rm");

    @Test
    void oneEditAwayIsSuggested() {
        assertEquals(Optional.of("stop"), Spelling.nearest("stpo", COMMANDS), "swapped");
        assertEquals(Optional.of("stop"), Spelling.nearest("stp", COMMANDS), "dropped");
        assertEquals(Optional.of("stop"), Spelling.nearest("stopp", COMMANDS), "added");
        assertEquals(Optional.of("logs"), Spelling.nearest("lags", COMMANDS), "changed");
    }

    @Test
    void aWordThatExtendsACandidateIsSuggested() {
        assertEquals(Optional.of("slirp"), Spelling.nearest("slirp4netns", List.of("none", "slirp")));
    }

    @Test
    void farWordsAndExactOnesAreNot() {
        assertEquals(Optional.empty(), Spelling.nearest("bash", COMMANDS));
        assertEquals(Optional.empty(), Spelling.nearest("stop", COMMANDS));
        assertEquals(Optional.empty(), Spelling.nearest("tops", COMMANDS));
    }
}
