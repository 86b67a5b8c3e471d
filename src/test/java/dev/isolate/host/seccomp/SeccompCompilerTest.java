package dev.isolate.host.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import dev.isolate.host.KernelVersion;
import dev.isolate.spec.Capability;
import dev.isolate.spec.SeccompProfile;
import dev.isolate.step.SocketFilter;
import dev.isolate.sys.Libseccomp;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiling with the system's libseccomp (libseccomp2, which the build needs), and the cache. */
class SeccompCompilerTest {
    private static final KernelVersion KERNEL = new KernelVersion(6, 1);
    private static final Optional<Set<Capability>> CONTAINED = Optional.of(Capability.CONTAINED);

    @TempDir
    Path temp;

    static byte[] defaultProfile() {
        try (InputStream in = SeccompCompiler.class.getResourceAsStream(SeccompCompiler.DEFAULT_RESOURCE)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private SeccompCompiler compiler(Optional<FilterCache> cache, List<String> messages) {
        return new SeccompCompiler(KERNEL, cache, message -> messages.add(message.get()));
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(temp.resolve(name), content);
    }

    @Test
    void libseccompIsThere() {
        assertTrue(Libseccomp.load().isPresent(), "install libseccomp2");
    }

    @Test
    void unconfinedIsNoFilter() {
        assertEquals(Optional.empty(), compiler(Optional.empty(), new ArrayList<>())
                .compile(new SeccompProfile.Unconfined(), CONTAINED));
    }

    @Test
    void theDefaultProfileDependsOnTheCapabilities() {
        List<String> messages = new ArrayList<>();
        SocketFilter contained = compiler(Optional.empty(), messages).compile(new SeccompProfile.Default(), CONTAINED)
                .orElseThrow();
        SocketFilter everything = compiler(Optional.empty(), messages).compile(new SeccompProfile.Default(),
                Optional.empty()).orElseThrow();
        assertNotEquals(contained, everything, "CAP_SYS_ADMIN's rules change the program");
        assertTrue(contained.length() > 100 && contained.length() < SocketFilter.MAX_INSTRUCTIONS,
                contained.length() + " instructions");
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("seccomp profile default: " + contained.length()
                + " BPF instructions, compiled with libseccomp ")), messages.toString());
    }

    @Test
    void mobyAndPodmanStyleProfilesCompile() throws IOException {
        for (String name : List.of("moby-style.json", "podman-style.json", "deny-mkdir.json")) {
            Path file = write(name, ProfileTest.resource(name));
            assertTrue(compiler(Optional.empty(), new ArrayList<>()).compile(new SeccompProfile.File(file.toString()),
                    CONTAINED).isPresent(), name);
        }
    }

    @Test
    void namesLibseccompDoesNotKnowAreSkipped() throws IOException {
        List<String> messages = new ArrayList<>();
        Path file = write("p.json", ProfileTest.resource("moby-style.json"));
        compiler(Optional.empty(), messages).compile(new SeccompProfile.File(file.toString()), CONTAINED);
        assertTrue(messages.stream().anyMatch(m -> m.contains("does not know: ") && m.contains("a_syscall_no_kernel_has")),
                messages.toString());
    }

    @Test
    void aMissingOrBadFileIsAnInputError() throws IOException {
        Failure missing = assertThrows(Failure.class, () -> compiler(Optional.empty(), new ArrayList<>())
                .compile(new SeccompProfile.File(temp.resolve("nope.json").toString()), CONTAINED));
        assertEquals(Failure.Kind.INPUT, missing.kind());
        assertTrue(missing.getMessage().startsWith("seccomp profile " + temp.resolve("nope.json") + ": "),
                missing.getMessage());
        Path bad = write("bad.json", "not json".getBytes());
        Failure notJson = assertThrows(Failure.class, () -> compiler(Optional.empty(), new ArrayList<>())
                .compile(new SeccompProfile.File(bad.toString()), CONTAINED));
        assertTrue(notJson.getMessage().startsWith("seccomp profile " + bad + ": not JSON: "));
    }

    @Test
    void twoComparisonsOfOneArgumentBecomeTwoRulesAsInRunc() {
        Profile.Condition low = new Profile.Condition(0, 1, 0, Profile.Op.GT);
        Profile.Condition high = new Profile.Condition(0, 9, 0, Profile.Op.LT);
        Profile.Condition other = new Profile.Condition(2, 9, 0, Profile.Op.EQ);
        assertEquals(1, SeccompCompiler.comparisons(List.of(low, other)).size());
        assertEquals(2, SeccompCompiler.comparisons(List.of(low, high)).size());
        assertEquals(List.of(List.of()), SeccompCompiler.comparisons(List.of()));
    }

    @Test
    void aCachedFilterIsTheCompiledOne() throws IOException {
        Path directory = temp.resolve("cache/seccomp");
        long uid = (Integer) Files.getAttribute(temp, "unix:uid");
        List<String> messages = new ArrayList<>();
        FilterCache cache = new FilterCache(directory, uid, message -> messages.add(message.get()));
        SocketFilter compiled = compiler(Optional.of(cache), messages).compile(new SeccompProfile.Default(), CONTAINED)
                .orElseThrow();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
        List<Path> files;
        try (Stream<Path> list = Files.list(directory)) {
            files = list.toList();
        }
        assertEquals(1, files.size(), "one file, no temporary left: " + files);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.get(0))));
        SocketFilter cached = compiler(Optional.of(cache), messages).compile(new SeccompProfile.Default(), CONTAINED)
                .orElseThrow();
        assertEquals(compiled, cached);
        assertTrue(messages.get(messages.size() - 1).contains("from the cache"), messages.toString());

        Files.setPosixFilePermissions(files.get(0), PosixFilePermissions.fromString("rw-rw-rw-"));
        compiler(Optional.of(cache), messages).compile(new SeccompProfile.Default(), CONTAINED);
        assertTrue(messages.stream().anyMatch(m -> m.contains("not trusted")), "a file others may write is not used");
        assertTrue(messages.get(messages.size() - 1).contains("compiled with libseccomp"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.get(0))),
                "and is replaced");
    }

    @Test
    void aCacheOfSomeoneElseIsNotUsed() throws IOException {
        Path directory = Files.createDirectories(temp.resolve("theirs"));
        long uid = (Integer) Files.getAttribute(temp, "unix:uid");
        List<String> messages = new ArrayList<>();
        FilterCache mine = new FilterCache(directory, uid, message -> messages.add(message.get()));
        compiler(Optional.of(mine), messages).compile(new SeccompProfile.Default(), CONTAINED);
        FilterCache asAnother = new FilterCache(directory, uid + 1, message -> messages.add(message.get()));
        compiler(Optional.of(asAnother), messages).compile(new SeccompProfile.Default(), CONTAINED);
        assertFalse(messages.get(messages.size() - 1).contains("from the cache"), messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.contains("not trusted")));
    }
}
