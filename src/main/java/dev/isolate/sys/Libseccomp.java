package dev.isolate.sys;

import com.kenai.jffi.Library;
import dev.isolate.linux.Linux;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * libseccomp (Debian's libseccomp2), loaded with dlopen through jffi, for the parent to build a
 * seccomp filter that the child then installs as one system call. Only the calls of version
 * 2.5, Debian 12's: the filter is exported with seccomp_export_bpf to a memfd, since
 * seccomp_export_bpf_mem came with 2.6. Results follow libseccomp's convention: 0, or {@code -errno}.
 */
public final class Libseccomp {
    /** The soname of libseccomp 2.x. */
    public static final String LIBRARY = "libseccomp.so.2";
    /** struct scmp_arg_cmp: unsigned int arg, enum scmp_compare op, scmp_datum_t datum_a, datum_b. */
    static final int ARG_CMP_SIZE = 24;
    /** Syscall numbers libseccomp does not know resolve to __NR_SCMP_ERROR. */
    static final int NR_SCMP_ERROR = -1;

    private final Kernel kernel;
    private final long init;
    private final long archAdd;
    private final long archResolveName;
    private final long ruleAddArray;
    private final long syscallResolveName;
    private final long exportBpf;
    private final long release;
    private final String version;

    private Libseccomp(Kernel kernel, Library library) {
        this.kernel = kernel;
        init = symbol(library, "seccomp_init");
        archAdd = symbol(library, "seccomp_arch_add");
        archResolveName = symbol(library, "seccomp_arch_resolve_name");
        ruleAddArray = symbol(library, "seccomp_rule_add_array");
        syscallResolveName = symbol(library, "seccomp_syscall_resolve_name");
        exportBpf = symbol(library, "seccomp_export_bpf");
        release = symbol(library, "seccomp_release");
        // const struct scmp_version *seccomp_version(void): three unsigned ints
        long numbers = kernel.callFunction(symbol(library, "seccomp_version"));
        version = String.join(".", Integer.toString(kernel.memory().getInt(numbers)),
                Integer.toString(kernel.memory().getInt(numbers + 4)), Integer.toString(kernel.memory().getInt(numbers + 8)));
    }

    /** libseccomp, if this system has it (dlopen finds {@value #LIBRARY}). */
    public static Optional<Libseccomp> load() {
        Library library = Library.getCachedInstance(LIBRARY, Library.LAZY | Library.LOCAL);
        return library == null ? Optional.empty() : Optional.of(new Libseccomp(Kernel.get(), library));
    }

    private static long symbol(Library library, String name) {
        long address = library.getSymbolAddress(name);
        if (address == 0) {
            throw new IllegalStateException(LIBRARY + " has no " + name + ": " + Library.getLastError());
        }
        return address;
    }

    /** major.minor.micro, as seccomp_version() reports it. */
    public String version() {
        return version;
    }

    /** One comparison of a rule: argument {@code index} {@code op} (libseccomp's enum scmp_compare) a, b. */
    public record Comparison(int index, int op, long a, long b) {
    }

    /** A filter being built (a scmp_filter_ctx), released when closed. */
    public final class Filter implements AutoCloseable {
        private long context;

        private Filter(long context) {
            this.context = context;
        }

        /** seccomp_arch_add: 0, {@code -EEXIST} if the filter has the architecture already, or {@code -errno}. */
        public int addArchitecture(int token) {
            return (int) kernel.callFunction(archAdd, context, token & 0xffffffffL);
        }

        /** seccomp_rule_add_array: the action for the syscall when every comparison holds. */
        public int addRule(int action, int syscall, List<Comparison> comparisons) {
            long array = comparisons.isEmpty() ? 0 : kernel.memory().allocateMemory(
                    (long) ARG_CMP_SIZE * comparisons.size(), true);
            try {
                for (int i = 0; i < comparisons.size(); i++) {
                    Comparison c = comparisons.get(i);
                    long at = array + (long) ARG_CMP_SIZE * i;
                    kernel.memory().putInt(at, c.index());
                    kernel.memory().putInt(at + 4, c.op());
                    kernel.memory().putLong(at + 8, c.a());
                    kernel.memory().putLong(at + 16, c.b());
                }
                return (int) kernel.callFunction(ruleAddArray, context, action & 0xffffffffL, syscall,
                        comparisons.size(), array);
            } finally {
                if (array != 0) {
                    kernel.memory().freeMemory(array);
                }
            }
        }

        /**
         * The filter as the kernel takes it: struct sock_filter instructions, exported to a memfd
         * and read back.
         *
         * @return the instructions, or the errno of what failed
         */
        public Kernel.Result<byte[]> export() {
            Kernel.Result<MemoryFile> created = MemoryFile.create("isolate-seccomp");
            if (!created.ok()) {
                return new Kernel.Result<>(null, created.errno());
            }
            try (MemoryFile file = created.value()) {
                int exported = (int) kernel.callFunction(exportBpf, context, file.fd());
                return exported < 0 ? new Kernel.Result<>(null, -exported) : file.contents();
            }
        }

        @Override
        public void close() {
            if (context != 0) {
                kernel.callFunction(release, context);
                context = 0;
            }
        }
    }

    /** seccomp_init: a filter whose action for whatever no rule matches is {@code defaultAction}. */
    public Filter newFilter(int defaultAction) {
        long context = kernel.callFunction(init, defaultAction & 0xffffffffL);
        if (context == 0) {
            throw new IllegalStateException("seccomp_init(" + Integer.toUnsignedString(defaultAction, 16)
                    + ") failed");
        }
        return new Filter(context);
    }

    /** seccomp_syscall_resolve_name for the native architecture, empty if libseccomp does not know it. */
    public OptionalInt syscall(String name) {
        int number = (int) kernel.withPath(name, address -> kernel.callFunction(syscallResolveName, address));
        return number == NR_SCMP_ERROR ? OptionalInt.empty() : OptionalInt.of(number);
    }

    /** seccomp_arch_resolve_name ("x86_64", "x32", ...), empty if libseccomp does not know it. */
    public OptionalInt architecture(String name) {
        int token = (int) kernel.withPath(name, address -> kernel.callFunction(archResolveName, address));
        return token == 0 ? OptionalInt.empty() : OptionalInt.of(token);
    }
}
