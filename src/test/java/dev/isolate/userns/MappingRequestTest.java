package dev.isolate.userns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.Fixtures;
import dev.isolate.spec.IdMapping;
import dev.isolate.spec.SpecException;
import dev.isolate.spec.UserNamespace;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MappingRequestTest {
    private static MappingRequest request(boolean user, boolean mapRoot, Long mapUser, Long mapGroup,
            List<IdMapping> users, List<IdMapping> groups, boolean auto, boolean noAuto) {
        return new MappingRequest(user, mapRoot, mapUser, mapGroup, users, groups, auto, null, noAuto);
    }

    @Test
    void noOptionsNoPrivilegeAndOtherNamespacesMeansAnAutomaticRootMapping() {
        Optional<UserNamespace> ns = MappingRequest.none().resolve(Fixtures.USER, true, Fixtures.NO_SUBORDINATES);
        assertEquals(Optional.of(UserNamespace.rootMapping(1000, 1000, true)), ns);
        assertTrue(ns.get().automatic());
    }

    @Test
    void noUserNamespaceWhenNotNeededOrTurnedOff() {
        assertEquals(Optional.empty(), MappingRequest.none().resolve(Fixtures.ROOT, true, Fixtures.NO_SUBORDINATES));
        assertEquals(Optional.empty(), MappingRequest.none().resolve(Fixtures.USER, false, Fixtures.NO_SUBORDINATES));
        MappingRequest noAuto = request(false, false, null, null, List.of(), List.of(), false, true);
        assertEquals(Optional.empty(), noAuto.resolve(Fixtures.USER, true, Fixtures.NO_SUBORDINATES));
    }

    @Test
    void dashUMapsRootToTheCaller() {
        MappingRequest u = request(true, false, null, null, List.of(), List.of(), false, false);
        assertEquals(UserNamespace.rootMapping(1000, 1000, false),
                u.resolve(Fixtures.USER, false, Fixtures.NO_SUBORDINATES).orElseThrow());
    }

    @Test
    void mapUserAndGroupMoveTheCallersIds() {
        MappingRequest r = request(false, false, 1234L, 55L, List.of(), List.of(), false, false);
        UserNamespace ns = r.resolve(Fixtures.USER, false, Fixtures.NO_SUBORDINATES).orElseThrow();
        assertEquals(List.of(new IdMapping(1234, 1000, 1)), ns.uids());
        assertEquals(List.of(new IdMapping(55, 1000, 1)), ns.gids());
    }

    @Test
    void rangesAloneAreTheWholeMap() {
        List<IdMapping> range = List.of(new IdMapping(0, 100000, 65536));
        UserNamespace ns = request(false, false, null, null, range, List.of(), false, false)
                .resolve(Fixtures.ROOT, false, Fixtures.NO_SUBORDINATES).orElseThrow();
        assertEquals(range, ns.uids());
        assertEquals(List.of(new IdMapping(0, 0, 1)), ns.gids(), "gids keep the caller's own mapping");
        UserNamespace withRoot = request(false, true, null, null, List.of(new IdMapping(1, 100000, 10)), List.of(),
                false, false).resolve(Fixtures.USER, false, Fixtures.NO_SUBORDINATES).orElseThrow();
        assertEquals(List.of(new IdMapping(0, 1000, 1), new IdMapping(1, 100000, 10)), withRoot.uids());
    }

    @Test
    void mapAutoUsesTheFirstSubordinateRangesAboveRoot() {
        Subordinates ranges = Fixtures.subordinates(List.of(new IdMapping(0, 100000, 65536)),
                List.of(new IdMapping(0, 300000, 1000)));
        UserNamespace ns = request(false, false, null, null, List.of(), List.of(), true, false)
                .resolve(Fixtures.USER, false, ranges).orElseThrow();
        assertEquals(List.of(new IdMapping(0, 1000, 1), new IdMapping(1, 100000, 65536)), ns.uids());
        assertEquals(List.of(new IdMapping(0, 1000, 1), new IdMapping(1, 300000, 1000)), ns.gids());
    }

    @Test
    void mapAutoWithoutRangesSaysHowToAddThem() {
        MappingRequest auto = request(false, false, null, null, List.of(), List.of(), true, false);
        assertEquals("--map-auto: alice has no range in /etc/subuid (add one with usermod --add-subuids)",
                assertThrows(SpecException.class,
                        () -> auto.resolve(Fixtures.USER, false, Fixtures.NO_SUBORDINATES)).getMessage());
    }

    @Test
    void overlappingRangesAreRefused() {
        MappingRequest overlap = request(false, true, null, null, List.of(new IdMapping(0, 5000, 10)), List.of(), false,
                false);
        assertThrows(SpecException.class, () -> overlap.resolve(Fixtures.USER, false, Fixtures.NO_SUBORDINATES));
        assertThrows(SpecException.class, () -> new UserNamespace(
                List.of(new IdMapping(0, 100, 10), new IdMapping(10, 105, 10)), List.of(new IdMapping(0, 0, 1)), null,
                false));
    }

    @Test
    void malformedRanges() {
        assertThrows(SpecException.class, () -> IdMapping.parse("1:2"));
        assertThrows(SpecException.class, () -> IdMapping.parse("a:b:c"));
        assertThrows(SpecException.class, () -> IdMapping.parse("0:0:0"));
        assertThrows(SpecException.class, () -> IdMapping.parse("-1:0:1"));
        assertThrows(SpecException.class, () -> IdMapping.parse("0:4294967290:10"));
        assertEquals(new IdMapping(0, 100000, 65536), IdMapping.parse("0:100000:65536"));
    }
}
