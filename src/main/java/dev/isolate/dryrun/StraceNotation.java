package dev.isolate.dryrun;

import static dev.isolate.dryrun.Flags.bits;
import static dev.isolate.dryrun.Flags.one;

import dev.isolate.linux.Linux;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Handshake;
import dev.isolate.step.LaunchPlan;
import dev.isolate.step.ParentStep;
import dev.isolate.step.Slot;
import dev.isolate.step.Step;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A launch plan's system calls as strace shows them: symbolic flags, decoded structs, quoted
 * strings. What exists only once the launch runs is named instead: a descriptor an earlier
 * step keeps in a slot is {@code <fd of step N>}, a handshake pipe's end is {@code <report pipe,
 * write end>}, the child's pid is {@code CHILD}. A call without a decoder of its own is
 * printed with its arguments as they are, so a call added to {@link Call} later still shows.
 */
public final class StraceNotation {
    /** How the child's pid appears in what the parent does: it is known once the child is cloned. */
    public static final String CHILD = "CHILD";

    private StraceNotation() {
    }

    /** clone() as the trampoline issues it. */
    public static String clone(LaunchPlan plan) {
        return "clone(child_stack=<the program's stack>, flags="
                + Flags.clone(plan.cloneFlags() | (plan.sharesMemory() ? Linux.CLONE_VM : 0)) + ")";
    }

    /** Every child step, in order; a step that uses a saved descriptor names the step that saved it. */
    public static List<String> childSteps(List<Step> steps) {
        Map<Slot, Integer> savedBy = new HashMap<>();
        List<String> calls = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            calls.add(call(step, savedBy::get));
            int index = i;
            step.saveIn().ifPresent(slot -> savedBy.put(slot, index));
        }
        return calls;
    }

    /**
     * One parent step: id maps are written to /proc/CHILD in one write each, helpers are run
     * with the child's pid first, a descriptor is taken from the child's table by its number.
     */
    public static String parentStep(ParentStep step) {
        if (step instanceof ParentStep.TakeDescriptor take) {
            return "pidfd_getfd(pidfd_open(" + CHILD + ", 0), " + pipe(take.at()) + ", 0)";
        }
        if (step instanceof ParentStep.WriteProcFile write) {
            String path = "/proc/" + CHILD + "/" + write.file();
            byte[] content = write.content().getBytes(StandardCharsets.US_ASCII);
            return "openat(AT_FDCWD, " + quote(path) + ", O_WRONLY|O_CLOEXEC), write(<that fd>, "
                    + quote(content) + ", " + content.length + "), close(<that fd>)";
        }
        ParentStep.RunHelper helper = (ParentStep.RunHelper) step;
        List<String> argv = new ArrayList<>();
        argv.add(helper.program().substring(helper.program().lastIndexOf('/') + 1));
        argv.add(CHILD);
        argv.addAll(helper.args());
        return "execve(" + quote(helper.program()) + ", " + array(argv) + ", <isolate's environment>)";
    }

    /**
     * @param savedBy the step that saved each slot's descriptor so far, or null
     */
    static String call(Step step, Function<Slot, Integer> savedBy) {
        Rendering r = new Rendering(step.args(), savedBy);
        String args = switch (step.call()) {
            case CLOSE, FCHDIR -> r.fd(0);
            case READ -> r.fd(0) + ", buf, " + r.number(2);
            case WRITE -> r.fd(0) + ", " + r.bytes(1) + ", " + r.number(2);
            case OPENAT -> r.dirfd(0) + ", " + r.string(1) + ", " + Flags.open(r.value(2))
                    + ((r.value(2) & 0100) != 0 ? ", " + r.octal(3) : "");
            case IOCTL -> r.fd(0) + ", " + one(r.value(1), Flags.IOCTL) + ", " + ioctlArgument(r);
            case SOCKET -> one(r.value(0), Flags.ADDRESS_FAMILY) + ", " + socketType(r.value(1)) + ", "
                    + (r.value(0) == Linux.AF_INET ? one(r.value(2), Flags.INET_PROTOCOL) : r.number(2));
            case FCNTL -> r.fd(0) + ", " + one(r.value(1), Flags.FCNTL)
                    + (r.value(1) == Linux.F_SETFD ? ", " + (r.value(2) == 1 ? "FD_CLOEXEC" : r.number(2))
                    : ", " + r.number(2));
            case CLOSE_RANGE -> r.number(0) + ", " + Long.toUnsignedString(r.value(1) & 0xFFFF_FFFFL) + ", "
                    + bits(r.value(2), Flags.CLOSE_RANGE);
            case RT_SIGACTION -> Flags.signal(r.value(0)) + ", " + sigaction(r.bytesOf(1)) + ", "
                    + r.pointer(2) + ", " + r.number(3);
            case RT_SIGPROCMASK -> one(r.value(0), Flags.SIGPROCMASK_HOW) + ", " + sigset(r.bytesOf(1)) + ", "
                    + r.pointer(2) + ", " + r.number(3);
            case PRCTL -> prctl(r);
            case MOUNT -> r.string(0) + ", " + r.string(1) + ", " + r.string(2) + ", "
                    + bits(r.value(3), Flags.MOUNT) + ", " + r.string(4);
            case SETHOSTNAME -> r.string(0) + ", " + r.number(1);
            case UNSHARE -> bits(r.value(0), Flags.NAMESPACES);
            case SETNS -> r.fd(0) + ", " + bits(r.value(1), Flags.NAMESPACES);
            case CHDIR, CHROOT -> r.string(0);
            case EXECVE -> r.string(0) + ", " + r.strings(1) + ", " + r.environment(2);
            case OPENAT2 -> r.dirfd(0) + ", " + r.string(1) + ", " + openHow(r.bytesOf(2)) + ", " + r.number(3);
            case MKDIRAT -> r.dirfd(0) + ", " + r.string(1) + ", " + r.octal(2);
            case MKNODAT -> r.dirfd(0) + ", " + r.string(1) + ", " + Flags.fileMode(r.value(2))
                    + (isDevice(r.value(2)) ? ", makedev(0x" + Long.toHexString(major(r.value(3))) + ", 0x"
                    + Long.toHexString(minor(r.value(3))) + ")" : "");
            case SYMLINKAT -> r.string(0) + ", " + r.dirfd(1) + ", " + r.string(2);
            case PIVOT_ROOT -> r.string(0) + ", " + r.string(1);
            case UMOUNT2 -> r.string(0) + ", " + bits(r.value(1), Flags.UMOUNT);
            case OPEN_TREE -> r.dirfd(0) + ", " + r.string(1) + ", " + bits(r.value(2), Flags.OPEN_TREE);
            case MOVE_MOUNT -> r.dirfd(0) + ", " + r.string(1) + ", " + r.dirfd(2) + ", " + r.string(3) + ", "
                    + bits(r.value(4), Flags.MOVE_MOUNT);
            case FSOPEN -> r.string(0) + ", " + bits(r.value(1), Flags.FSOPEN);
            case FSCONFIG -> r.fd(0) + ", " + one(r.value(1), Flags.FSCONFIG) + ", " + r.string(2) + ", "
                    + r.string(3) + ", " + r.number(4);
            case FSMOUNT -> r.fd(0) + ", " + bits(r.value(1), Flags.FSMOUNT) + ", " + bits(r.value(2),
                    Flags.MOUNT_ATTR);
            case MOUNT_SETATTR -> r.dirfd(0) + ", " + r.string(1) + ", " + bits(r.value(2), Flags.AT) + ", "
                    + mountAttr(r.bytesOf(3)) + ", " + r.number(4);
            case CLONE -> "child_stack=" + r.pointer(1) + ", flags=" + Flags.clone(r.value(0));
            case SETGROUPS -> r.number(0) + ", " + (r.value(0) == 0 || !(r.arg(1) instanceof Arg.Bytes)
                    ? r.pointer(1) : gids(r.bytesOf(1)));
            case SETRESUID, SETRESGID -> r.id(0) + ", " + r.id(1) + ", " + r.id(2);
            case CAPSET -> capset(r.bytesOf(0), r.bytesOf(1));
            case FACCESSAT2 -> r.dirfd(0) + ", " + r.string(1) + ", " + (r.value(2) == Linux.X_OK ? "X_OK"
                    : r.number(2)) + ", " + (r.value(3) == Linux.AT_EACCESS ? "AT_EACCESS" : r.number(3));
            case SECCOMP -> one(r.value(0), Flags.SECCOMP) + ", " + r.number(1) + ", " + program(r.arg(2));
            case SETSID -> "";
            case DUP3 -> r.fd(0) + ", " + r.fd(1) + ", " + bits(r.value(2), Flags.DUP3);
            case FCHOWN -> r.fd(0) + ", " + r.id(1) + ", " + r.id(2);
            case FCHOWNAT -> r.dirfd(0) + ", " + r.string(1) + ", " + r.id(2) + ", " + r.id(3) + ", " + r.number(4);
            case SETDOMAINNAME -> r.string(0) + ", " + r.number(1);
            case UMASK -> r.octal(0);
            default -> generic(step.args(), savedBy);
        };
        return name(step.call()) + "(" + args + ")";
    }

    /** The arguments as they are: numbers, quoted strings and bytes, string arrays, named descriptors. */
    static String generic(List<Arg> args, Function<Slot, Integer> savedBy) {
        Rendering r = new Rendering(args, savedBy);
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            Arg arg = args.get(i);
            parts.add(arg instanceof Arg.Value ? r.number(i) : arg instanceof Arg.CString ? r.string(i)
                    : arg instanceof Arg.Bytes ? r.bytes(i) : arg instanceof Arg.CStringArray ? r.strings(i)
                    : r.fd(i));
        }
        return String.join(", ", parts);
    }

    /** A struct sock_fprog as strace shows it, the instructions' address being the launch's own. */
    private static String program(Arg arg) {
        return arg instanceof Arg.Program p ? "{len=" + p.filter().length() + ", filter=<" + p.filter().length()
                + " BPF instructions>}" : "NULL";
    }

    static String name(Call call) {
        return call.name().toLowerCase(Locale.ROOT);
    }

    private static String prctl(Rendering r) {
        long option = r.value(0);
        String name = one(option, Flags.PRCTL);
        if (option == Linux.PR_SET_PDEATHSIG) {
            return name + ", " + Flags.signal(r.value(1));
        }
        if (r.arg(1) instanceof Arg.CString) {
            return name + ", " + r.string(1);
        }
        List<String> parts = new ArrayList<>(List.of(name));
        for (int i = 1; i < r.args.size(); i++) {
            parts.add(r.number(i));
        }
        return String.join(", ", parts);
    }

    /** What an ioctl's request takes: a struct, an int it points to, open flags, or a plain number. */
    private static String ioctlArgument(Rendering r) {
        long request = r.value(1);
        if (request == Linux.SIOCSIFFLAGS) {
            return ifreq(r.bytesOf(2));
        }
        if (request == Linux.TIOCGPTPEER) {
            return Flags.open(r.value(2));
        }
        if (request == Linux.TIOCSPTLCK && r.bytesOf(2).filter(b -> b.length == Integer.BYTES).isPresent()) {
            return "[" + native64(r.bytesOf(2).get()).getInt(0) + "]";
        }
        return r.number(2);
    }

    /** The header and the three sets, each as one 64-bit mask as /proc/PID/status shows it. */
    private static String capset(Optional<byte[]> header, Optional<byte[]> data) {
        if (header.isEmpty() || data.isEmpty() || header.get().length < 8 || data.get().length < 24) {
            return header.map(StraceNotation::quote).orElse("NULL") + ", " + data.map(StraceNotation::quote).orElse("NULL");
        }
        ByteBuffer h = native64(header.get());
        ByteBuffer d = native64(data.get());
        String version = h.getInt(0) == Linux.LINUX_CAPABILITY_VERSION_3 ? "_LINUX_CAPABILITY_VERSION_3"
                : String.format("%#x", h.getInt(0));
        List<String> sets = new ArrayList<>();
        String[] names = {"effective", "permitted", "inheritable"};
        for (int i = 0; i < 3; i++) {
            long mask = Integer.toUnsignedLong(d.getInt(4 * i)) | Integer.toUnsignedLong(d.getInt(12 + 4 * i)) << 32;
            sets.add(names[i] + "=" + String.format("%#x", mask));
        }
        return "{version=" + version + ", pid=" + h.getInt(4) + "}, {" + String.join(", ", sets) + "}";
    }

    private static String socketType(long type) {
        String base = one(type & 0xf, Flags.SOCK_TYPE);
        long flags = type & ~0xfL;
        return flags == 0 ? base : base + "|" + bits(flags, Flags.SOCK_FLAGS);
    }

    private static boolean isDevice(long mode) {
        long type = mode & 0170000;
        return type == 020000 || type == 060000;
    }

    private static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
    }

    private static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & ~0xffL);
    }

    private static ByteBuffer native64(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }

    /** struct ifreq as strace shows it for SIOCSIFFLAGS: the name and the flags. */
    private static String ifreq(Optional<byte[]> bytes) {
        if (bytes.isEmpty() || bytes.get().length < Linux.IFNAMSIZ + 2) {
            return bytes.map(StraceNotation::quote).orElse("NULL");
        }
        byte[] ifreq = bytes.get();
        int end = 0;
        while (end < Linux.IFNAMSIZ && ifreq[end] != 0) {
            end++;
        }
        String name = new String(ifreq, 0, end, StandardCharsets.US_ASCII);
        long flags = native64(ifreq).getShort(Linux.IFNAMSIZ) & 0xffff;
        return "{ifr_name=" + quote(name) + ", ifr_flags=" + bits(flags, Flags.IFF) + "}";
    }

    /** struct kernel_sigaction: handler, flags, restorer, mask. */
    private static String sigaction(Optional<byte[]> bytes) {
        if (bytes.isEmpty() || bytes.get().length < Linux.SIGACTION_SIZE) {
            return bytes.map(StraceNotation::quote).orElse("NULL");
        }
        ByteBuffer sa = native64(bytes.get());
        long handler = sa.getLong(0);
        long flags = sa.getLong(8);
        long restorer = sa.getLong(16);
        long mask = sa.getLong(24);
        String handlerText = handler == 0 ? "SIG_DFL" : handler == 1 ? "SIG_IGN" : "0x" + Long.toHexString(handler);
        return "{sa_handler=" + handlerText + ", sa_mask=" + signals(mask) + ", sa_flags=" + bits(flags,
                Flags.SIGACTION) + ((flags & Linux.SA_RESTORER) != 0 ? ", sa_restorer=0x"
                + Long.toHexString(restorer) : "") + "}";
    }

    private static String sigset(Optional<byte[]> bytes) {
        if (bytes.isEmpty() || bytes.get().length < Linux.SIGSET_SIZE) {
            return bytes.map(StraceNotation::quote).orElse("NULL");
        }
        return signals(native64(bytes.get()).getLong(0));
    }

    /** A signal set as strace prints it: [INT TERM], or ~[...] when most are in it. */
    private static String signals(long mask) {
        boolean inverted = Long.bitCount(mask) > Linux.NSIG / 2;
        long shown = inverted ? ~mask : mask;
        List<String> names = new ArrayList<>();
        for (int signal = 1; signal <= Linux.NSIG; signal++) {
            if ((shown & (1L << (signal - 1))) != 0) {
                names.add(Flags.signal(signal).replaceFirst("^SIG", ""));
            }
        }
        return (inverted ? "~" : "") + "[" + String.join(" ", names) + "]";
    }

    /** struct open_how: flags, mode, resolve; the mode only when it matters. */
    private static String openHow(Optional<byte[]> bytes) {
        if (bytes.isEmpty() || bytes.get().length < Linux.OPEN_HOW_SIZE) {
            return bytes.map(StraceNotation::quote).orElse("NULL");
        }
        ByteBuffer how = native64(bytes.get());
        long flags = how.getLong(0);
        long mode = how.getLong(8);
        long resolve = how.getLong(16);
        return "{flags=" + Flags.open(flags) + ((flags & 0100) != 0 || mode != 0 ? ", mode=0" + Long.toOctalString(mode)
                : "") + ", resolve=" + bits(resolve, Flags.RESOLVE) + "}";
    }

    /** struct mount_attr: attr_set, attr_clr, propagation, userns_fd. */
    private static String mountAttr(Optional<byte[]> bytes) {
        if (bytes.isEmpty() || bytes.get().length < Linux.MOUNT_ATTR_SIZE) {
            return bytes.map(StraceNotation::quote).orElse("NULL");
        }
        ByteBuffer attr = native64(bytes.get());
        return "{attr_set=" + bits(attr.getLong(0), Flags.MOUNT_ATTR) + ", attr_clr=" + bits(attr.getLong(8),
                Flags.MOUNT_ATTR) + ", propagation=" + bits(attr.getLong(16), Flags.PROPAGATION) + ", userns_fd="
                + attr.getLong(24) + "}";
    }

    /** A gid_t array, as setgroups(2) takes it. */
    private static String gids(Optional<byte[]> bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes.orElse(new byte[0])).order(ByteOrder.nativeOrder());
        List<String> ids = new ArrayList<>();
        while (buffer.remaining() >= Integer.BYTES) {
            ids.add(Integer.toUnsignedString(buffer.getInt()));
        }
        return "[" + String.join(", ", ids) + "]";
    }

    static String quote(String value) {
        return quote(value.getBytes(StandardCharsets.ISO_8859_1)); // isolate's strings carry bytes, one char each
    }

    /** A C string or buffer as strace quotes it: escapes for the usual controls, octal for other bytes. */
    static String quote(byte[] bytes) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            switch (b) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                case '\f' -> out.append("\\f");
                case 0x0b -> out.append("\\v");
                default -> {
                    if (b >= 0x20 && b < 0x7f) {
                        out.append((char) b);
                    } else {
                        boolean digitFollows = i + 1 < bytes.length && bytes[i + 1] >= '0' && bytes[i + 1] <= '7';
                        out.append('\\').append(digitFollows ? String.format("%03o", b) : Integer.toOctalString(b));
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    static String array(List<String> values) {
        List<String> quoted = new ArrayList<>();
        values.forEach(value -> quoted.add(quote(value)));
        return "[" + String.join(", ", quoted) + "]";
    }

    /** One step's arguments, each read as the call's decoder expects it. */
    private static final class Rendering {
        private final List<Arg> args;
        private final Function<Slot, Integer> savedBy;

        Rendering(List<Arg> args, Function<Slot, Integer> savedBy) {
            this.args = args;
            this.savedBy = savedBy;
        }

        Arg arg(int i) {
            return i < args.size() ? args.get(i) : Arg.NULL;
        }

        long value(int i) {
            return arg(i) instanceof Arg.Value v ? v.value() : 0;
        }

        String number(int i) {
            Arg arg = arg(i);
            return arg instanceof Arg.Value v ? Long.toString(v.value()) : fd(i);
        }

        String id(int i) {
            return arg(i) instanceof Arg.Value v && (v.value() == -1 || v.value() == 0xFFFF_FFFFL) ? "-1" : number(i);
        }

        String octal(int i) {
            return arg(i) instanceof Arg.Value v ? "0" + Long.toOctalString(v.value()) : number(i);
        }

        String pointer(int i) {
            Arg arg = arg(i);
            if (arg instanceof Arg.Value v) {
                return v.value() == 0 ? "NULL" : "0x" + Long.toHexString(v.value());
            }
            return arg instanceof Arg.Bytes b ? quote(b.value()) : fd(i);
        }

        /** A descriptor: a number, a pipe's end, or the one an earlier step saved. */
        String fd(int i) {
            Arg arg = arg(i);
            if (arg instanceof Arg.Saved saved) {
                Integer step = savedBy.apply(saved.slot());
                return step == null ? "<fd in slot " + saved.slot().index() + ">" : "<fd of step " + step + ">";
            }
            if (arg instanceof Arg.Pipe pipe) {
                return pipe(pipe.end());
            }
            if (arg instanceof Arg.CString || arg instanceof Arg.Bytes || arg instanceof Arg.CStringArray) {
                return string(i);
            }
            return Long.toString(value(i));
        }

        /** A descriptor that may be AT_FDCWD. */
        String dirfd(int i) {
            return arg(i) instanceof Arg.Value v && v.value() == Linux.AT_FDCWD ? "AT_FDCWD" : fd(i);
        }

        String string(int i) {
            Arg arg = arg(i);
            if (arg instanceof Arg.CString s) {
                return quote(s.value());
            }
            if (arg instanceof Arg.Bytes b) {
                return quote(b.value());
            }
            if (arg instanceof Arg.CStringArray a) {
                return array(a.values());
            }
            return arg instanceof Arg.Value v && v.value() == 0 ? "NULL" : fd(i);
        }

        String bytes(int i) {
            return string(i);
        }

        Optional<byte[]> bytesOf(int i) {
            return arg(i) instanceof Arg.Bytes b ? Optional.of(b.value()) : Optional.empty();
        }

        String strings(int i) {
            return string(i);
        }

        /** envp as strace shows it without -v: how many variables, not what they hold. */
        String environment(int i) {
            return arg(i) instanceof Arg.CStringArray a ? "/* " + a.values().size() + " vars */" : string(i);
        }
    }

    static String pipe(Handshake.End end) {
        return switch (end) {
            case REPORT_READ -> "<report pipe, read end>";
            case REPORT_WRITE -> "<report pipe, write end>";
            case RELEASE_READ -> "<release pipe, read end>";
            case RELEASE_WRITE -> "<release pipe, write end>";
        };
    }
}
