package dev.isolate.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ResourcesTest {
    private static Resources of(OptionalLong memory, OptionalLong swap) {
        return new Resources(memory, swap, OptionalLong.empty(), Optional.empty(), OptionalLong.empty(),
                OptionalLong.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(), Resources.Manager.CGROUPFS);
    }

    private static Resources cpu(Optional<Double> cpus, OptionalLong shares, OptionalLong weight) {
        return new Resources(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), cpus, shares, weight,
                Optional.empty(), Optional.empty(), Optional.empty(), List.of(), Resources.Manager.CGROUPFS);
    }

    private static Resources placed(String parent, Resources.Manager manager) {
        return new Resources(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), Optional.empty(),
                OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.ofNullable(parent), Optional.empty(), List.of(), manager);
    }

    @Test
    void bytesAreReadAsDockerReadsThem() {
        assertEquals(512, Resources.parseBytes("--memory", "512"));
        assertEquals(512, Resources.parseBytes("--memory", "512b"));
        assertEquals(64L << 10, Resources.parseBytes("--memory", "64k"));
        assertEquals(32L << 20, Resources.parseBytes("--memory", "32M"));
        assertEquals(2L << 30, Resources.parseBytes("--memory", "2g"));
        assertEquals("--memory \"1.5g\": use a number of bytes with an optional b, k, m or g",
                assertThrows(Failure.class, () -> Resources.parseBytes("--memory", "1.5g")).getMessage());
        assertEquals("--memory-swap \"99999999999g\": too large",
                assertThrows(Failure.class, () -> Resources.parseBytes("--memory-swap", "99999999999g")).getMessage());
    }

    @Test
    void memoryAndSwapAreCheckedTogether() {
        assertThrows(Failure.class, () -> of(OptionalLong.of(1 << 20), OptionalLong.empty()), "below 6m");
        assertEquals("--memory-swap: needs --memory (it is memory plus swap)", assertThrows(Failure.class,
                () -> of(OptionalLong.empty(), OptionalLong.of(64L << 20))).getMessage());
        assertThrows(Failure.class, () -> of(OptionalLong.of(64L << 20), OptionalLong.of(32L << 20)),
                "memory plus swap below memory");
        assertTrue(of(OptionalLong.of(64L << 20), OptionalLong.of(Resources.UNLIMITED)).limits());
        assertFalse(Resources.NONE.limits());
    }

    @Test
    void cpusBecomeAQuotaPer100Milliseconds() {
        assertEquals(OptionalLong.of(50_000), cpu(Optional.of(0.5), OptionalLong.empty(), OptionalLong.empty())
                .cpuQuotaMicros());
        assertEquals(OptionalLong.of(150_000), cpu(Optional.of(1.5), OptionalLong.empty(), OptionalLong.empty())
                .cpuQuotaMicros());
        assertThrows(Failure.class, () -> cpu(Optional.of(0.001), OptionalLong.empty(), OptionalLong.empty()));
        assertThrows(Failure.class, () -> cpu(Optional.of(0.0), OptionalLong.empty(), OptionalLong.empty()));
    }

    @Test
    void sharesAndWeightKeepTheirScaleAndConvertAsCrunDoes() {
        Resources shares = cpu(Optional.empty(), OptionalLong.of(1024), OptionalLong.empty());
        assertEquals(OptionalLong.of(1024), shares.shares(), "v1 gets what was given");
        assertEquals(OptionalLong.of(39), shares.weight());
        Resources weight = cpu(Optional.empty(), OptionalLong.empty(), OptionalLong.of(100));
        assertEquals(OptionalLong.of(100), weight.weight());
        assertEquals(OptionalLong.of(2597), weight.shares());
        assertEquals(OptionalLong.of(10_000), cpu(Optional.empty(), OptionalLong.of(262_144), OptionalLong.empty())
                .weight());
        assertThrows(Failure.class, () -> cpu(Optional.empty(), OptionalLong.of(1), OptionalLong.empty()));
        assertThrows(Failure.class, () -> cpu(Optional.empty(), OptionalLong.empty(), OptionalLong.of(10_001)));
        assertThrows(Failure.class, () -> cpu(Optional.empty(), OptionalLong.of(1024), OptionalLong.of(100)));
    }

    @Test
    void cpuListsAreTheKernelsFormat() {
        BitSet expected = new BitSet();
        expected.set(0, 3);
        expected.set(5);
        assertEquals(expected, Resources.cpuNumbers("0-2,5\n"));
        assertThrows(Failure.class, () -> Resources.cpuNumbers("3-1"));
        assertThrows(Failure.class, () -> new Resources(OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), Optional.empty(), OptionalLong.empty(), OptionalLong.empty(), Optional.of("0,"),
                Optional.empty(), Optional.empty(), List.of(), Resources.Manager.CGROUPFS));
    }

    @Test
    void theParentStaysBelowTheRoot() {
        assertEquals(Optional.of("ci/jobs"), placed("/ci/jobs", Resources.Manager.CGROUPFS).parentPath());
        assertEquals(Optional.of("ci"), placed("ci", Resources.Manager.CGROUPFS).parentPath());
        for (String bad : new String[] {"/", "..", "a/../b", "a//b", "a/", "./a", "a b"}) {
            assertThrows(Failure.class, () -> placed(bad, Resources.Manager.CGROUPFS), bad);
        }
    }

    @Test
    void aLimitNeedsACgroup() {
        assertEquals("--cgroup-manager disabled: a limit needs a cgroup; drop the limit or the option",
                assertThrows(Failure.class, () -> placed("ci", Resources.Manager.DISABLED)).getMessage());
    }
}
