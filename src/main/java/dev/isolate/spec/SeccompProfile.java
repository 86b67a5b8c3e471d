package dev.isolate.spec;

/** Which seccomp filter the command runs under (--security-opt seccomp=...). */
public sealed interface SeccompProfile {
    /** No filter. */
    record Unconfined() implements SeccompProfile {
    }

    /** isolate's own profile, moby's default plus TIOCSTI and TIOCLINUX denied. */
    record Default() implements SeccompProfile {
    }

    /** A profile file in docker's and podman's JSON format, read by the host side. */
    record File(String path) implements SeccompProfile {
        public File {
            if (path.isEmpty()) {
                throw dev.isolate.exit.Failure.input("--security-opt seccomp=: the profile's path is empty");
            }
            CStrings.requireNoNul("--security-opt seccomp", path);
        }
    }

    /**
     * A profile given as JSON text in the same format, such as an OCI bundle's linux.seccomp
     * (the OCI runtime spec's fields are a subset of docker's).
     *
     * @param origin where it comes from, as an error about it names it
     */
    record Json(byte[] text, String origin) implements SeccompProfile {
        public Json {
            text = text.clone();
        }

        @Override
        public byte[] text() {
            return text.clone();
        }
    }
}
