package dev.isolate.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isolate.exit.Failure;
import dev.isolate.spec.Credentials;
import dev.isolate.spec.RunAs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccountsTest {
    private static final String PASSWD = """
            root:x:0:0:root:/root:/bin/sh
            # a comment
            broken line
            daemon:x:1:bad:daemon:/usr/sbin:/usr/sbin/nologin
            nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
            homeless:x:1000:1000:::/bin/sh
            """;
    private static final String GROUP = """
            root:x:0:
            wheel:x:10:root
            users:x:100:
            nogroup:x:65534:
            """;
    private static final Accounts ACCOUNTS = new Accounts(Accounts.parseUsers(PASSWD), Accounts.parseGroups(GROUP),
            "/etc");

    private static RunAs runAs(String user, String group, boolean setsHome, String... extra) {
        return new RunAs(Optional.ofNullable(user), Optional.ofNullable(group), List.of(extra), setsHome);
    }

    @Test
    void aUserNameGivesItsUidPrimaryGidAndHome() {
        assertEquals(new Credentials(OptionalLong.of(65534), OptionalLong.of(65534), List.of(),
                Optional.of("/nonexistent")), ACCOUNTS.resolve(runAs("nobody", null, true)));
        assertEquals(new Credentials(OptionalLong.of(65534), OptionalLong.of(100), List.of(10L, 27L), Optional.empty()),
                ACCOUNTS.resolve(runAs("nobody", "users", false, "wheel", "27")), "-G wins over the primary group");
    }

    @Test
    void aNumberIsTakenAsItIsAndFindsItsEntryIfThereIsOne() {
        assertEquals(new Credentials(OptionalLong.of(65534), OptionalLong.of(65534), List.of(),
                Optional.of("/nonexistent")), ACCOUNTS.resolve(runAs("65534", null, true)));
        assertEquals(new Credentials(OptionalLong.of(4242), OptionalLong.empty(), List.of(), Optional.of("/")),
                ACCOUNTS.resolve(runAs("4242", null, true)), "no entry: the gid stays, HOME is /");
        assertEquals(new Credentials(OptionalLong.of(1000), OptionalLong.of(1000), List.of(), Optional.of("/")),
                ACCOUNTS.resolve(runAs("homeless", null, true)), "an empty home is / too");
        assertEquals(new Credentials(OptionalLong.empty(), OptionalLong.of(4242), List.of(), Optional.empty()),
                ACCOUNTS.resolve(runAs(null, "4242", false)));
    }

    @Test
    void unknownNamesAndLinesThatDoNotParse() {
        assertEquals("-S daemon: no such user in /etc/passwd",
                assertThrows(Failure.class, () -> ACCOUNTS.resolve(runAs("daemon", null, false))).getMessage());
        assertEquals("-G staff: no such group in /etc/group",
                assertThrows(Failure.class, () -> ACCOUNTS.resolve(runAs(null, "staff", false))).getMessage());
        assertEquals("--group-add audio: no such group in /etc/group",
                assertThrows(Failure.class, () -> ACCOUNTS.resolve(runAs(null, null, false, "audio"))).getMessage());
    }

    @Test
    void linksInTheImageResolveInsideIt(@TempDir Path image) throws IOException {
        // An absolute link and one that climbs out with "..": both stay in the image, whose
        // files exist nowhere on the host.
        Files.createDirectories(image.resolve("private"));
        Files.createSymbolicLink(image.resolve("etc"), Path.of("/private"));
        Files.writeString(image.resolve("private/passwd"), "inner:x:5:6::/home/inner:/bin/sh\n");
        Files.writeString(image.resolve("group.image"), "staff:x:50:\n");
        Files.createSymbolicLink(image.resolve("private/group"), Path.of("../../../../../../../group.image"));
        Accounts accounts = Accounts.inRoot(List.of(image.toString()));
        assertEquals(new Credentials(OptionalLong.of(5), OptionalLong.of(50), List.of(), Optional.of("/home/inner")),
                accounts.resolve(runAs("inner", "staff", true)));
    }

    @Test
    void theUpperLayerHidesTheImageAndWhatIsNoRegularFileIsNeverRead(@TempDir Path dir)
            throws IOException, InterruptedException {
        Path upper = Files.createDirectories(dir.resolve("upper/etc"));
        Path lower = Files.createDirectories(dir.resolve("lower/etc"));
        Files.writeString(lower.resolve("passwd"), "old:x:1:1::/:/bin/sh\n");
        Files.writeString(upper.resolve("passwd"), "new:x:2:2::/:/bin/sh\n");
        List<String> layers = List.of(dir.resolve("upper").toString(), dir.resolve("lower").toString());
        assertEquals(OptionalLong.of(2), Accounts.inRoot(layers).resolve(runAs("new", null, false)).uid());
        assertThrows(Failure.class, () -> Accounts.inRoot(layers).resolve(runAs("old", null, false)));
        // A FIFO would block a reader forever; a whiteout is a character device: neither is opened.
        Files.writeString(lower.resolve("group"), "g:x:3:\n");
        assertEquals(0, new ProcessBuilder("mkfifo", upper.resolve("group").toString()).start().waitFor());
        assertEquals("-G g: no such group in the container's /etc/group", assertThrows(Failure.class,
                () -> Accounts.inRoot(layers).resolve(runAs(null, "g", false))).getMessage());
    }

    @Test
    void anImageWithoutTheFilesStillTakesNumbers(@TempDir Path image) {
        Accounts accounts = Accounts.inRoot(List.of(image.toString()));
        assertEquals(OptionalLong.of(7), accounts.resolve(runAs("7", "8", false)).uid());
        assertEquals("-S root: no such user in the container's /etc/passwd",
                assertThrows(Failure.class, () -> accounts.resolve(runAs("root", null, false))).getMessage());
    }
}
