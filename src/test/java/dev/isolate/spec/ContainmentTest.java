package dev.isolate.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ContainmentTest {
    private static Containment of(boolean container, boolean privileged, List<String> changes, String... opts) {
        List<Containment.CapabilityChange> parsed = changes.stream()
                .map(c -> Containment.CapabilityChange.parse(c.startsWith("+"), c.substring(1))).toList();
        return Containment.of(container, privileged, parsed, List.of(opts), OptionalInt.empty());
    }

    @Test
    void aContainerGetsDockersSetWithoutMknodTheDefaultFilterAndMaskedPaths() {
        Containment c = of(true, false, List.of());
        assertEquals(Optional.of(Capability.CONTAINED), c.capabilities().map(CapabilitySets::bounding));
        assertEquals(0xa00425fbL, Capability.mask(Capability.CONTAINED));
        assertEquals(new SeccompProfile.Default(), c.seccomp());
        assertTrue(c.maskedPaths());
        assertFalse(c.noNewPrivileges());
    }

    @Test
    void withoutARootFilesystemNothingIsTakenUnasked() {
        Containment c = of(false, false, List.of("+NET_ADMIN"));
        assertTrue(c.keepsCapabilities(), "adding to everything changes nothing");
        assertEquals(new SeccompProfile.Unconfined(), c.seccomp());
        assertFalse(c.maskedPaths());
        assertEquals(Optional.of(EnumSet.complementOf(EnumSet.of(Capability.SYS_ADMIN))),
                of(false, false, List.of("-sys_admin")).capabilities().map(CapabilitySets::bounding));
    }

    @Test
    void changesApplyInOrderWithAnyCaseAndPrefixAndAll() {
        assertEquals(Optional.of(EnumSet.of(Capability.KILL)), of(true, false, List.of("-ALL", "+cap_kill"))
                .capabilities().map(CapabilitySets::bounding));
        assertEquals(Optional.of(EnumSet.noneOf(Capability.class)), of(true, false, List.of("+kill", "-all"))
                .capabilities().map(CapabilitySets::bounding));
        Containment added = of(true, false, List.of("+NET_ADMIN", "+mknod", "-MKNOD"));
        assertEquals(EnumSet.of(Capability.NET_ADMIN), added.added(), "only what is still added must be grantable");
    }

    @Test
    void privilegedKeepsEverythingUnlessToldOtherwise() {
        Containment c = of(true, true, List.of());
        assertTrue(c.keepsCapabilities());
        assertEquals(new SeccompProfile.Unconfined(), c.seccomp());
        assertFalse(c.maskedPaths());
        assertEquals(new SeccompProfile.Default(), of(true, true, List.of(), "seccomp=default").seccomp());
    }

    @Test
    void securityOptionsInDockersForms() {
        assertTrue(of(true, false, List.of(), "no-new-privileges").noNewPrivileges());
        assertTrue(of(true, false, List.of(), "no-new-privileges:true").noNewPrivileges());
        assertFalse(of(true, false, List.of(), "no-new-privileges=false").noNewPrivileges());
        assertEquals(new SeccompProfile.File("/etc/p.json"), of(true, false, List.of(), "seccomp=/etc/p.json").seccomp());
        assertEquals(new SeccompProfile.Unconfined(), of(true, false, List.of(), "seccomp=unconfined").seccomp());
    }

    @Test
    void mistakesAreOneLine() {
        assertEquals("--cap-add NET_ADMN: not a capability (did you mean NET_ADMIN?); see capabilities(7), or ALL",
                assertThrows(Failure.class, () -> of(true, false, List.of("+NET_ADMN"))).getMessage());
        assertEquals("--security-opt apparmor=x: isolate applies no AppArmor or SELinux labels; drop the option",
                assertThrows(Failure.class, () -> of(true, false, List.of(), "apparmor=x")).getMessage());
        assertThrows(Failure.class, () -> of(true, false, List.of(), "seccomp"));
        assertThrows(Failure.class, () -> of(true, false, List.of(), "no-new-privileges=maybe"));
        assertThrows(Failure.class, () -> of(true, false, List.of(), "bogus"));
        assertThrows(Failure.class, () -> Containment.of(true, false, List.of(), List.of(), OptionalInt.of(-1)));
    }
}
