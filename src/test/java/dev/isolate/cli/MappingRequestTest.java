package dev.isolate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.Fixtures;
import dev.isolate.exit.Failure;
import dev.isolate.host.HostFacts;
import dev.isolate.spec.IdMapping;
import dev.isolate.spec.UserNamespace;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MappingRequestTest {
    private static final HostFacts USER = Fixtures.facts().caller(Fixtures.USER).build();
    private static final HostFacts ROOT = Fixtures.facts().build();

    private static MappingRequest request(boolean user, boolean mapRoot, Long mapUser, Long mapGroup,
            List<IdMapping> users, List<IdMapping> groups, boolean auto, boolean noAuto) {
        return new MappingRequest(user, mapRoot, mapUser, mapGroup, users, groups, auto, null, noAuto);
    }

    @Test
    void noOptionsNoPrivilegeAndOtherNamespacesMeansAnAutomaticRootMapping() {
        Optional<UserNamespace> ns = MappingRequest.none().resolve(USER, true);
        assertEquals(Optional.of(UserNamespace.rootMapping(1000, 1000, true)), ns);
        assertTrue(ns.get().automatic());
    }

    @Test
    void noUserNamespaceWhenNotNeededOrTurnedOff() {
        assertEquals(Optional.empty(), MappingRequest.none().resolve(ROOT, true));
        assertEquals(Optional.empty(), MappingRequest.none().resolve(USER, false));
        MappingRequest noAuto = request(false, false, null, null, List.of(), List.of(), false, true);
        assertEquals(Optional.empty(), noAuto.resolve(USER, true));
    }

    @Test
    void dashUMapsRootToTheCaller() {
        MappingRequest u = request(true, false, null, null, List.of(), List.of(), false, false);
        assertEquals(UserNamespace.rootMapping(1000, 1000, false),
                u.resolve(USER, false).orElseThrow());
    }

    @Test
    void mapUserAndGroupMoveTheCallersIds() {
        MappingRequest r = request(false, false, 1234L, 55L, List.of(), List.of(), false, false);
        UserNamespace ns = r.resolve(USER, false).orElseThrow();
        assertEquals(List.of(new IdMapping(1234, 1000, 1)), ns.uids());
        assertEquals(List.of(new IdMapping(55, 1000, 1)), ns.gids());
    }

    @Test
    void rangesAloneAreTheWholeMap() {
        List<IdMapping> range = List.of(new IdMapping(0, 100000, 65536));
        UserNamespace ns = request(false, false, null, null, range, List.of(), false, false)
                .resolve(ROOT, false).orElseThrow();
        assertEquals(range, ns.uids());
        assertEquals(List.of(new IdMapping(0, 0, 1)), ns.gids(), "gids keep the caller's own mapping");
        UserNamespace withRoot = request(false, true, null, null, List.of(new IdMapping(1, 100000, 10)), List.of(),
                false, false).resolve(USER, false).orElseThrow();
        assertEquals(List.of(new IdMapping(0, 1000, 1), new IdMapping(1, 100000, 10)), withRoot.uids());
    }

    @Test
    void mapAutoUsesTheFirstSubordinateRangesAboveRoot() {
        HostFacts ranges = Fixtures.facts().caller(Fixtures.USER).subordinates(List.of(new IdMapping(0, 100000, 65536)),
                List.of(new IdMapping(0, 300000, 1000))).build();
        UserNamespace ns = request(false, false, null, null, List.of(), List.of(), true, false)
                .resolve(ranges, false).orElseThrow();
        assertEquals(List.of(new IdMapping(0, 1000, 1), new IdMapping(1, 100000, 65536)), ns.uids());
        assertEquals(List.of(new IdMapping(0, 1000, 1), new IdMapping(1, 300000, 1000)), ns.gids());
    }

    @Test
    void mapAutoWithoutRangesSaysHowToAddThem() {
        MappingRequest auto = request(false, false, null, null, List.of(), List.of(), true, false);
        assertEquals("--map-auto: alice has no range in /etc/subuid (add one with usermod --add-subuids)",
                assertThrows(Failure.class,
                        () -> auto.resolve(USER, false)).getMessage());
    }

    @Test
    void overlappingRangesAreRefused() {
        MappingRequest overlap = request(false, true, null, null, List.of(new IdMapping(0, 5000, 10)), List.of(), false,
                false);
        assertThrows(Failure.class, () -> overlap.resolve(USER, false));
        assertThrows(Failure.class, () -> new UserNamespace(
                List.of(new IdMapping(0, 100, 10), new IdMapping(10, 105, 10)), List.of(new IdMapping(0, 0, 1)), null,
                false));
    }

    @Test
    void malformedRanges() {
        assertThrows(Failure.class, () -> IdMapping.parse("1:2"));
        assertThrows(Failure.class, () -> IdMapping.parse("a:b:c"));
        assertThrows(Failure.class, () -> IdMapping.parse("0:0:0"));
        assertThrows(Failure.class, () -> IdMapping.parse("-1:0:1"));
        assertThrows(Failure.class, () -> IdMapping.parse("0:4294967290:10"));
        assertEquals(new IdMapping(0, 100000, 65536), IdMapping.parse("0:100000:65536"));
    }
}
