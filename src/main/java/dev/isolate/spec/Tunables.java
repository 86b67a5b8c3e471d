package dev.isolate.spec;

import dev.isolate.exit.Failure;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the command starts with beyond its isolation, as an OCI bundle asks for it: its
 * process's resource limits, umask and OOM score, and its UTS namespace's NIS domain name.
 *
 * @param rlimits     setrlimit(2) limits, applied in the container before the command
 * @param umask       the command's file mode creation mask
 * @param oomScoreAdj /proc/PID/oom_score_adj, -1000 to 1000
 * @param domainname  setdomainname(2), in the container's own UTS namespace
 */
public record Tunables(List<Rlimit> rlimits, OptionalInt umask, OptionalInt oomScoreAdj, Optional<String> domainname) {
    public static final Tunables NONE = new Tunables(List.of(), OptionalInt.empty(), OptionalInt.empty(),
            Optional.empty());

    public Tunables {
        rlimits = List.copyOf(rlimits);
        umask.ifPresent(mask -> {
            if ((mask & ~0777) != 0) {
                throw Failure.input("umask " + Integer.toOctalString(mask) + ": not permission bits");
            }
        });
        oomScoreAdj.ifPresent(score -> {
            if (score < -1000 || score > 1000) {
                throw Failure.input("oomScoreAdj " + score + ": must be -1000 to 1000");
            }
        });
        domainname.ifPresent(name -> {
            if (name.length() > ContainerSpec.MAX_HOSTNAME) {
                throw Failure.input("domainname \"" + name + "\": at most " + ContainerSpec.MAX_HOSTNAME
                        + " characters");
            }
            CStrings.requireNoNul("domainname", name);
        });
    }

    /**
     * One resource limit.
     *
     * @param resource the RLIMIT_ number, in the order of {@link #NAMES}
     */
    public record Rlimit(int resource, long soft, long hard) {
        /** The kernel's resources by number (asm-generic/resource.h). */
        public static final List<String> NAMES = List.of("RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA",
                "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK",
                "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO",
                "RLIMIT_RTTIME");

        public Rlimit {
            if (resource < 0 || resource >= NAMES.size()) {
                throw new IllegalArgumentException("not a resource: " + resource);
            }
            if (Long.compareUnsigned(soft, hard) > 0) {
                throw Failure.input(NAMES.get(resource) + ": the soft limit " + Long.toUnsignedString(soft)
                        + " is above the hard one, " + Long.toUnsignedString(hard));
            }
        }

        /** @param name RLIMIT_NOFILE and the like, as an OCI bundle names them */
        public static Rlimit of(String name, long soft, long hard) {
            int resource = NAMES.indexOf(name);
            if (resource < 0) {
                throw Failure.input("rlimit \"" + name + "\": not a resource (expected one of " + String.join(", ",
                        NAMES) + ")");
            }
            return new Rlimit(resource, soft, hard);
        }

        public String name() {
            return NAMES.get(resource);
        }
    }
}
