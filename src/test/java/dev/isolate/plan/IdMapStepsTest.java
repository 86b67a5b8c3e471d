package dev.isolate.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.Fixtures;
import dev.isolate.exit.Failure;
import dev.isolate.host.HostFacts;
import dev.isolate.spec.IdMapping;
import dev.isolate.spec.UserNamespace;
import dev.isolate.step.ParentStep;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdMapStepsTest {
    private static final HostFacts ROOT = Fixtures.facts().build();
    private static final HostFacts ALICE = Fixtures.facts().caller(Fixtures.USER).build();
    /** alice with her /etc/subuid and /etc/subgid ranges and the helpers installed. */
    private static final HostFacts ALICE_WITH_RANGES = Fixtures.facts().caller(Fixtures.USER).helpers()
            .subordinates(List.of(new IdMapping(0, 100000, 65536)), List.of(new IdMapping(0, 200000, 65536))).build();

    private static ParentStep write(String file, String content) {
        return new ParentStep.WriteProcFile(file, content, file);
    }

    @Test
    void anUnprivilegedCallerMapsItsOwnIdsDirectlyWithSetgroupsDenied() {
        List<ParentStep> steps = IdMapSteps.steps(UserNamespace.rootMapping(1000, 1000, true), ALICE);
        assertEquals(List.of(write("setgroups", "deny"), write("uid_map", "0 1000 1\n"), write("gid_map", "0 1000 1\n")),
                steps);
    }

    @Test
    void rootWritesAnyMapAndKeepsSetgroups() {
        UserNamespace ns = new UserNamespace(List.of(new IdMapping(0, 100000, 65536)),
                List.of(new IdMapping(0, 100000, 65536), new IdMapping(70000, 5, 1)), null, false);
        assertEquals(List.of(write("uid_map", "0 100000 65536\n"), write("gid_map", "0 100000 65536\n70000 5 1\n")),
                IdMapSteps.steps(ns, ROOT));
        UserNamespace deny = new UserNamespace(ns.uids(), ns.gids(), false, false);
        assertEquals(write("setgroups", "deny"),
                IdMapSteps.steps(deny, ROOT).get(0));
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
                IdMapSteps.steps(ns, ALICE_WITH_RANGES));
    }

    @Test
    void missingHelpersNameThePackage() {
        UserNamespace ns = new UserNamespace(List.of(new IdMapping(0, 100000, 10)), List.of(new IdMapping(0, 200000, 10)),
                null, false);
        String message = assertThrows(Failure.class,
                () -> IdMapSteps.steps(ns, Fixtures.facts().caller(Fixtures.USER)
                        .subordinates(ALICE_WITH_RANGES.subordinateUids(), ALICE_WITH_RANGES.subordinateGids()).build())).getMessage();
        assertTrue(message.contains("uidmap package"), message);
    }

    @Test
    void idsTheCallerDoesNotOwnAreRefusedBeforeAnythingRuns() {
        UserNamespace ns = new UserNamespace(List.of(new IdMapping(0, 100000, 65537)),
                List.of(new IdMapping(0, 1000, 1)), null, false);
        assertEquals("uid range 0:100000:65537: outside ids 100000-165536 are not alice's own nor in its"
                        + " /etc/subuid ranges",
                assertThrows(Failure.class,
                        () -> IdMapSteps.steps(ns, ALICE_WITH_RANGES)).getMessage());
    }

    @Test
    void setgroupsAllowCannotGoWithAnUnprivilegedOwnGidMap() {
        UserNamespace ns = new UserNamespace(List.of(new IdMapping(0, 1000, 1)), List.of(new IdMapping(0, 1000, 1)),
                true, false);
        assertThrows(Failure.class,
                () -> IdMapSteps.steps(ns, ALICE_WITH_RANGES));
    }
}
