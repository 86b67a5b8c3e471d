package dev.isolate.host;

import static dev.isolate.linux.Linux.*;

import com.kenai.jffi.MemoryIO;
import dev.isolate.exit.Failure;
import dev.isolate.spec.Credentials;
import dev.isolate.spec.IdMapping;
import dev.isolate.spec.RunAs;
import dev.isolate.sys.ByteStrings;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.Syscall;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The users and groups of the passwd and group files that the command sees: the host's
 * without a root filesystem, the image's with one. -S, -G and --group-add names are looked
 * up here, on the host, so that the plan carries numbers only.
 */
public final class Accounts {
    /** A passwd file larger than this is not one. */
    private static final long MAX_FILE = 16L << 20;

    record User(String name, long uid, long gid, String home) {
    }

    record Group(String name, long gid) {
    }

    private final List<User> users;
    private final List<Group> groups;
    /** Where the files are, for messages: "/etc" or "the container's /etc". */
    private final String where;

    Accounts(List<User> users, List<Group> groups, String where) {
        this.users = List.copyOf(users);
        this.groups = List.copyOf(groups);
        this.where = where;
    }

    /** The host's /etc/passwd and /etc/group, which a command without -R sees. */
    public static Accounts ofHost() {
        return read(List.of("/"), "/etc");
    }

    /**
     * The image's files, as the prepared root shows them. Each path is resolved inside its
     * layer (openat2 RESOLVE_IN_ROOT), so a symbolic link in the image, even to "/etc/passwd"
     * or through "..", names a file of the image and never the host's.
     *
     * @param layers the image's directories, uppermost first: an overlay's kept upper layer,
     *               then the image; a file found in one hides those below it
     */
    public static Accounts inRoot(List<String> layers) {
        return read(layers, "the container's /etc");
    }

    private static Accounts read(List<String> layers, String where) {
        return new Accounts(parseUsers(readFile(layers, "etc/passwd")), parseGroups(readFile(layers, "etc/group")),
                where);
    }

    /** Numbers for the names; an unknown name is bad input. */
    public Credentials resolve(RunAs runAs) {
        Optional<User> user = Optional.empty();
        OptionalLong uid = OptionalLong.empty();
        if (runAs.user().isPresent()) {
            String value = runAs.user().get();
            OptionalLong number = RunAs.number(value);
            if (number.isPresent()) {
                uid = number;
                user = users.stream().filter(u -> u.uid() == number.getAsLong()).findFirst();
            } else {
                user = Optional.of(users.stream().filter(u -> u.name().equals(value)).findFirst()
                        .orElseThrow(() -> Failure.input("-S " + value + ": no such user in " + where + "/passwd")));
                uid = OptionalLong.of(user.get().uid());
            }
        }
        // docker's rule: without -G, the user's primary group from passwd.
        OptionalLong gid = runAs.group().isPresent() ? OptionalLong.of(gid("-G", runAs.group().get()))
                : user.map(u -> OptionalLong.of(u.gid())).orElse(OptionalLong.empty());
        List<Long> extra = runAs.extraGroups().stream().map(value -> gid("--group-add", value)).toList();
        Optional<String> home = runAs.setsHome()
                ? Optional.of(user.map(User::home).filter(dir -> !dir.isEmpty()).orElse("/"))
                : Optional.empty();
        return new Credentials(uid, gid, extra, home);
    }

    private long gid(String option, String value) {
        OptionalLong number = RunAs.number(value);
        if (number.isPresent()) {
            return number.getAsLong();
        }
        return groups.stream().filter(g -> g.name().equals(value)).findFirst()
                .orElseThrow(() -> Failure.input(option + " " + value + ": no such group in " + where + "/group"))
                .gid();
    }

    /** passwd(5): name:password:uid:gid:gecos:home:shell; lines that do not parse are skipped, as libc does. */
    static List<User> parseUsers(String text) {
        List<User> users = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length >= 4 && !f[0].isEmpty() && !f[0].startsWith("#")) {
                OptionalLong uid = id(f[2]);
                OptionalLong gid = id(f[3]);
                if (uid.isPresent() && gid.isPresent()) {
                    users.add(new User(f[0], uid.getAsLong(), gid.getAsLong(), f.length >= 6 ? f[5] : ""));
                }
            }
        }
        return users;
    }

    /** group(5): name:password:gid:members. */
    static List<Group> parseGroups(String text) {
        List<Group> groups = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length >= 3 && !f[0].isEmpty() && !f[0].startsWith("#")) {
                id(f[2]).ifPresent(gid -> groups.add(new Group(f[0], gid)));
            }
        }
        return groups;
    }

    private static OptionalLong id(String field) {
        if (field.isEmpty() || field.length() > 10 || !field.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalLong.empty();
        }
        long id = Long.parseLong(field);
        return id < IdMapping.ID_LIMIT ? OptionalLong.of(id) : OptionalLong.empty();
    }

    /**
     * The file in the uppermost layer that has it; empty text when none has it, or when the
     * uppermost entry is not a regular file (an overlay whiteout, a device, a FIFO), which is
     * never opened for reading.
     */
    private static String readFile(List<String> layers, String path) {
        Kernel kernel = Kernel.get();
        for (String layer : layers) {
            long root = kernel.open(layer, O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (root < 0) {
                throw Failure.step(layer + ": " + kernel.errorText((int) -root));
            }
            try {
                long fd = openInRoot(kernel, (int) root, path);
                if (fd == -ENOENT || fd == -ENOTDIR) {
                    continue;
                }
                if (fd < 0) {
                    throw Failure.step("/" + path + " in " + layer + ": " + kernel.errorText((int) -fd));
                }
                try {
                    // Through the descriptor: what was resolved inside the root is what is read.
                    Path file = Path.of("/proc/self/fd/" + fd);
                    if (!Files.isRegularFile(file) || Files.size(file) > MAX_FILE) {
                        return "";
                    }
                    // As byte strings (sys.ByteStrings), as the names given to -S and -G are.
                    return Files.readString(file, StandardCharsets.ISO_8859_1);
                } catch (IOException e) {
                    throw Failure.step("/" + path + " in " + layer + ": " + Failure.reason(e));
                } finally {
                    kernel.call(Syscall.CLOSE, fd);
                }
            } finally {
                kernel.call(Syscall.CLOSE, root);
            }
        }
        return "";
    }

    /** openat2(root, path, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS). */
    private static long openInRoot(Kernel kernel, int root, String path) {
        MemoryIO memory = kernel.memory();
        byte[] name = ByteStrings.cString(path);
        byte[] how = ByteBuffer.allocate(OPEN_HOW_SIZE).order(ByteOrder.nativeOrder())
                .putLong(O_PATH | O_CLOEXEC).putLong(0).putLong(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS).array();
        long nameAddress = memory.allocateMemory(name.length, false);
        long howAddress = memory.allocateMemory(how.length, false);
        try {
            memory.putByteArray(nameAddress, name, 0, name.length);
            memory.putByteArray(howAddress, how, 0, how.length);
            return kernel.callRetrying(Syscall.OPENAT2, root, nameAddress, howAddress, how.length);
        } finally {
            memory.freeMemory(nameAddress);
            memory.freeMemory(howAddress);
        }
    }
}
