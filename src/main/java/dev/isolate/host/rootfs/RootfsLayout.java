package dev.isolate.host.rootfs;

import dev.isolate.spec.Mount;
import dev.isolate.spec.RootFilesystem;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A root filesystem as the parent prepared it on the host: real paths and facts only the
 * host can tell, from which {@link RootfsSteps} plans the child's mounts.
 *
 * @param image              the image directory's real path
 * @param readOnly           mount the root read-only
 * @param overlay            where an overlay's writable layers are, when the image is kept unchanged
 * @param mounts             the user's mounts, bind sources as real paths
 * @param fileSources        bind sources that are not directories: their mount points are files
 * @param privateMountPoints host mount points the child makes private before attaching
 *                           anything below them, so nothing isolate mounts propagates out
 * @param kernelFiles        the paths of /proc and /sys this kernel has, among those the container
 *                           must not write to or read (RootFilesystem's READ_ONLY_PATHS and MASKED_PATHS)
 * @param kernelDirectories  those of them that are directories
 * @param bundle             an engine's root (an OCI bundle's): {@code mounts} are all there is, and
 *                           the bundle's lists say what kernelFiles are among
 */
public record RootfsLayout(String image, boolean readOnly, Optional<Overlay> overlay, List<Mount> mounts,
        Set<String> fileSources, List<String> privateMountPoints, Set<String> kernelFiles,
        Set<String> kernelDirectories, Optional<RootFilesystem.Bundle> bundle) {
    public RootfsLayout {
        mounts = List.copyOf(mounts);
        fileSources = Set.copyOf(fileSources);
        privateMountPoints = List.copyOf(privateMountPoints);
        kernelFiles = Set.copyOf(kernelFiles);
        kernelDirectories = Set.copyOf(kernelDirectories);
    }

    /** The command line's root: isolate's own /proc, /dev and /sys, then the user's mounts. */
    public RootfsLayout(String image, boolean readOnly, Optional<Overlay> overlay, List<Mount> mounts,
            Set<String> fileSources, List<String> privateMountPoints, Set<String> kernelFiles,
            Set<String> kernelDirectories) {
        this(image, readOnly, overlay, mounts, fileSources, privateMountPoints, kernelFiles, kernelDirectories,
                Optional.empty());
    }

    /** The paths made read-only: the bundle's, or moby's. */
    public List<String> readOnlyPaths() {
        return bundle.map(RootFilesystem.Bundle::readOnlyPaths).orElse(RootFilesystem.READ_ONLY_PATHS);
    }

    /** The paths hidden: the bundle's, or moby's. */
    public List<String> maskedPaths() {
        return bundle.map(RootFilesystem.Bundle::maskedPaths).orElse(RootFilesystem.MASKED_PATHS);
    }

    /**
     * @param scratch an empty host directory on which the child mounts a tmpfs that holds
     *                upper and work, so the changes vanish with the container; empty when
     *                upper and work are directories the user keeps
     */
    public record Overlay(Optional<String> scratch, String upper, String work) {
    }
}
