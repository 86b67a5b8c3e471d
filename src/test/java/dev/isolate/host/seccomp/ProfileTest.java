package dev.isolate.host.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import dev.isolate.host.KernelVersion;
import dev.isolate.spec.Capability;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Profiles in docker's and podman's format (test data in src/test/resources/seccomp, written for these tests). */
class ProfileTest {
    private static final KernelVersion KERNEL = new KernelVersion(6, 1);
    private static final Set<Capability> CONTAINED = Capability.CONTAINED;
    private static final Set<Capability> WITH_SYS_ADMIN = EnumSet.copyOf(List.of(Capability.SYS_ADMIN,
            Capability.CHOWN));

    static byte[] resource(String name) {
        try (InputStream in = ProfileTest.class.getResourceAsStream("/seccomp/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Profile parse(String json) {
        return Profile.parse(json.getBytes(StandardCharsets.UTF_8), "seccomp profile p.json");
    }

    private static String failure(String json) {
        Failure failure = assertThrows(Failure.class, () -> parse(json));
        assertEquals(Failure.Kind.INPUT, failure.kind());
        assertFalse(failure.getMessage().contains("\n"), "one line: " + failure.getMessage());
        return failure.getMessage();
    }

    /** The rules that apply for this capability set on this kernel, in the profile's order. */
    private static List<Profile.Rule> rulesFor(Profile profile, Set<Capability> capabilities, KernelVersion kernel) {
        return profile.rules().stream().filter(rule -> rule.appliesTo(capabilities, kernel)).toList();
    }

    private static List<String> names(List<Profile.Rule> rules) {
        return rules.stream().flatMap(rule -> rule.names().stream()).toList();
    }

    @Test
    void aMobyStyleProfile() {
        Profile profile = Profile.parse(resource("moby-style.json"), "moby");
        assertEquals(new Profile.Action(Profile.Action.Kind.ERRNO, 1), profile.defaultAction());
        assertEquals(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"), profile.filterArchitectures(),
                "the native archMap entry and its sub-architectures only");
        Profile.Rule clone = profile.rules().stream().filter(rule -> rule.names().equals(List.of("clone")))
                .findFirst().orElseThrow();
        assertEquals(List.of(new Profile.Condition(0, 0x7E020000L, 0, Profile.Op.MASKED_EQ)), clone.args());
        Profile.Rule clone3 = profile.rules().stream().filter(rule -> rule.names().equals(List.of("clone3")))
                .findFirst().orElseThrow();
        assertEquals(new Profile.Action(Profile.Action.Kind.ERRNO, 38), clone3.action());
        assertEquals(0x00050026, clone3.action().code());
    }

    @Test
    void capabilitiesDecideWhichRulesApplyAsDockerDecides() {
        Profile profile = Profile.parse(resource("moby-style.json"), "moby");
        List<String> contained = names(rulesFor(profile, CONTAINED, KERNEL));
        assertFalse(contained.contains("mount"), "includes.caps CAP_SYS_ADMIN: not held");
        assertTrue(contained.contains("clone"), "excludes.caps CAP_SYS_ADMIN: not held, so the masked clone rule");
        assertTrue(contained.contains("clone3"));
        List<String> admin = names(rulesFor(profile, WITH_SYS_ADMIN, KERNEL));
        assertTrue(admin.contains("mount"));
        assertFalse(admin.contains("clone3"), "an excluded capability held drops the rule");
        assertTrue(contained.contains("arch_prctl"), "includes.arches amd64");
        assertTrue(contained.contains("ptrace"), "includes.minKernel 4.8");
        assertFalse(names(rulesFor(profile, CONTAINED, new KernelVersion(4, 4))).contains("ptrace"));
    }

    @Test
    void aPodmanStyleProfile() {
        Profile profile = Profile.parse(resource("podman-style.json"), "podman");
        assertEquals(new Profile.Action(Profile.Action.Kind.ERRNO, 38), profile.defaultAction(), "ENOSYS");
        Profile.Rule deny = profile.rules().get(1);
        assertEquals(new Profile.Action(Profile.Action.Kind.ERRNO, 1), deny.action());
        assertEquals(Profile.Selector.NONE, deny.includes(), "an empty includes object selects nothing away");
        Profile.Rule audit = profile.rules().get(2);
        assertEquals(2, audit.args().size());
        assertTrue(audit.appliesTo(CONTAINED.stream().filter(c -> c != Capability.AUDIT_WRITE)
                .collect(java.util.stream.Collectors.toCollection(() -> EnumSet.noneOf(Capability.class))), KERNEL));
        assertFalse(audit.appliesTo(CONTAINED, KERNEL), "CONTAINED holds AUDIT_WRITE, which the rule excludes");
    }

    @Test
    void isolatesDefaultProfileDeniesTiocstiUnderAMask() {
        Profile profile = Profile.parse(SeccompCompilerTest.defaultProfile(), "default");
        List<Profile.Rule> ioctl = profile.rules().stream().filter(rule -> rule.names().contains("ioctl")).toList();
        assertTrue(ioctl.stream().allMatch(rule -> rule.action().kind() == Profile.Action.Kind.ALLOW
                && rule.args().size() == 1 && rule.args().get(0).op() == Profile.Op.MASKED_EQ
                && rule.args().get(0).index() == 1 && (rule.args().get(0).value() & ~0xFFFF_FFFFL) == 0));
        for (long request : new long[] {0x5401 /* TCGETS */, 0x5413 /* TIOCGWINSZ */, 0x541B /* FIONREAD */,
                0xFFFF_FFFF_8008_1272L /* a sign-extended request */, 0x5410, 0x541E}) {
            assertTrue(allowed(ioctl, request), Long.toHexString(request));
        }
        for (long request : new long[] {0x5412, 0x541C, 0x1_0000_5412L, 0xFFFF_FFFF_0000_541CL}) {
            assertFalse(allowed(ioctl, request), Long.toHexString(request) + ": the kernel reads the low 32 bits");
        }
        List<String> contained = names(rulesFor(profile, CONTAINED, KERNEL));
        assertFalse(contained.contains("unshare"));
        assertFalse(contained.contains("keyctl"));
        assertTrue(contained.contains("personality"));
    }

    private static boolean allowed(List<Profile.Rule> rules, long request) {
        return rules.stream().map(rule -> rule.args().get(0))
                .anyMatch(c -> (request & c.value()) == c.valueTwo());
    }

    @Test
    void badProfilesAreOneLine() {
        assertTrue(failure("{\"defaultAction\": ").startsWith("seccomp profile p.json: not JSON: "));
        assertEquals("seccomp profile p.json: syscalls[0].action \"SCMP_ACT_ALLOWED\": not an action (expected"
                + " SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD,"
                + " SCMP_ACT_TRAP, SCMP_ACT_TRACE or SCMP_ACT_LOG)", failure("{\"defaultAction\": \"SCMP_ACT_ERRNO\","
                + " \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ALLOWED\"}]}"));
        assertTrue(failure("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"ioctl\"],"
                + " \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": 1, \"op\": \"SCMP_CMP_MASKED\"}]}]}")
                .startsWith("seccomp profile p.json: syscalls[0].args[0].op \"SCMP_CMP_MASKED\": expected one of"));
        assertEquals("seccomp profile p.json: the profile: unknown field \"defaultActoin\"",
                failure("{\"defaultActoin\": \"SCMP_ACT_ALLOW\"}"));
        assertEquals("seccomp profile p.json: the profile: \"defaultAction\" is missing", failure("{}"));
        assertEquals("seccomp profile p.json: syscalls[0].includes: unknown field \"capabilities\"",
                failure("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], \"action\":"
                        + " \"SCMP_ACT_ERRNO\", \"includes\": {\"capabilities\": [\"CAP_SYS_ADMIN\"]}}]}"));
        assertTrue(failure("{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}").contains("notification listener"));
        assertTrue(failure("[1, 2]").endsWith("the profile: expected an object"));
        assertTrue(failure("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], \"action\":"
                + " \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}")
                .contains("arguments 0 to 5"));
    }

    @Test
    void valuesCoverTheFull64Bits() {
        Profile profile = parse("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"],"
                + " \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13, \"args\": [{\"index\": 0, \"value\":"
                + " 18446744073709551615, \"op\": \"SCMP_CMP_EQ\"}]}]}");
        assertEquals(-1L, profile.rules().get(0).args().get(0).value());
        assertEquals(0x0005000D, profile.rules().get(0).action().code());
        assertTrue(failure("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], \"action\":"
                + " \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": -1, \"op\": \"SCMP_CMP_EQ\"}]}]}")
                .contains("expected a number from 0 to 18446744073709551615"));
    }
}
