package dev.isolate.userns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.Fixtures;
import dev.isolate.plan.ParentStep;
import dev.isolate.spec.IdMapping;
import dev.isolate.spec.SpecException;
import dev.isolate.spec.UserNamespace;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdMapWritingTest {
    private static final Subordinates ALICE_RANGES = Fixtures.subordinates(
            List.of(new IdMapping(0, 100000, 65536)), List.of(new IdMapping(0, 200000, 65536)));

    private static ParentStep write(String file, String content) {
        return new ParentStep.WriteProcFile(file, content, file);
    }

    @Test
    void anUnprivilegedCallerMapsItsOwnIdsDirectlyWithSetgroupsDenied() {
        List<ParentStep> steps = IdMapWriting.steps(UserNamespace.rootMapping(1000, 1000, true), Fixtures.USER,
                Fixtures.NO_HELPERS, Fixtures.NO_SUBORDINATES);
        assertEquals(List.of(write("setgroups", "deny"), write("uid_map", "0 1000 1\n"), write("gid_map", "0 1000 1\n")),
                steps);
    }

    @Test
    void rootWritesAnyMapAndKeepsSetgroups() {
        UserNamespace ns = new UserNamespace(List.of(new IdMapping(0, 100000, 65536)),
                List.of(new IdMapping(0, 100000, 65536), new IdMapping(70000, 5, 1)), null, false);
        assertEquals(List.of(write("uid_map", "0 100000 65536\n"), write("gid_map", "0 100000 65536\n70000 5 1\n")),
                IdMapWriting.steps(ns, Fixtures.ROOT, Fixtures.NO_HELPERS, Fixtures.NO_SUBORDINATES));
        UserNamespace deny = new UserNamespace(ns.uids(), ns.gids(), false, false);
        assertEquals(write("setgroups", "deny"),
                IdMapWriting.steps(deny, Fixtures.ROOT, Fixtures.NO_HELPERS, Fixtures.NO_SUBORDINATES).get(0));
    }

    @Test
    void rangesWithoutPrivilegeGoThroughTheHelpers() {
        UserNamespace ns = new UserNamespace(List.of(new IdMapping(0, 1000, 1), new IdMapping(1, 100000, 65536)),
                List.of(new IdMapping(0, 1000, 1), new IdMapping(1, 200000, 1000)), null, false);
        assertEquals(List.of(
                new ParentStep.RunHelper("/usr/bin/newuidmap", List.of("0", "1000", "1", "1", "100000", "65536"),
                        "uid map (newuidmap)"),
                new ParentStep.RunHelper("/usr/bin/newgidmap", List.of("0", "1000", "1", "1", "200000", "1000"),
                        "gid map (newgidmap)")),
                IdMapWriting.steps(ns, Fixtures.USER, Fixtures.HELPERS, ALICE_RANGES));
    }

    @Test
    void missingHelpersNameThePackage() {
        UserNamespace ns = new UserNamespace(List.of(new IdMapping(0, 100000, 10)), List.of(new IdMapping(0, 200000, 10)),
                null, false);
        String message = assertThrows(SpecException.class,
                () -> IdMapWriting.steps(ns, Fixtures.USER, Fixtures.NO_HELPERS, ALICE_RANGES)).getMessage();
        assertTrue(message.contains("uidmap package"), message);
    }

    @Test
    void idsTheCallerDoesNotOwnAreRefusedBeforeAnythingRuns() {
        UserNamespace ns = new UserNamespace(List.of(new IdMapping(0, 100000, 65537)),
                List.of(new IdMapping(0, 1000, 1)), null, false);
        assertEquals("uid range 0:100000:65537: outside ids 100000-165536 are not alice's own nor in its"
                        + " /etc/subuid ranges",
                assertThrows(SpecException.class,
                        () -> IdMapWriting.steps(ns, Fixtures.USER, Fixtures.HELPERS, ALICE_RANGES)).getMessage());
    }

    @Test
    void setgroupsAllowCannotGoWithAnUnprivilegedOwnGidMap() {
        UserNamespace ns = new UserNamespace(List.of(new IdMapping(0, 1000, 1)), List.of(new IdMapping(0, 1000, 1)),
                true, false);
        assertThrows(SpecException.class,
                () -> IdMapWriting.steps(ns, Fixtures.USER, Fixtures.HELPERS, ALICE_RANGES));
    }
}
