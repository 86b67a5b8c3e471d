package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isolate.Fixtures;
import dev.isolate.host.Caller;
import dev.isolate.host.HostFacts;
import dev.isolate.plan.Planner;
import dev.isolate.plan.Prepared;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Namespace;
import dev.isolate.step.LaunchPlan;
import dev.isolate.supervise.ChildEvents;
import dev.isolate.supervise.Supervisor;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The clone must never hang, however busy the JVM is: thousands of launches from this
 * JVM while other threads allocate and collect. A launch that makes no progress for
 * {@link #STUCK_NANOS} counts as a hang; its child is killed so the run can go on and
 * report how many there were.
 */
class StressIT {
    static final int LAUNCHES = 2000;
    static final long STUCK_NANOS = 10_000_000_000L;

    @Test
    void thousandsOfLaunchesUnderAllocationPressureNeverHang() throws Exception {
        Privileged.requireRoot();
        List<String> mountsBefore = HostMounts.snapshot();
        ContainerSpec spec = Fixtures.spec().namespaces(EnumSet.complementOf(EnumSet.of(Namespace.USER, Namespace.UTS)))
                .hostname("stress").environment(Map.of("PATH", "/usr/bin:/bin")).build();
        Supervisor supervisor = Supervisor.create(Caller.current(), message -> { });

        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> allocators = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread allocator = new Thread(() -> {
                List<byte[]> keep = new ArrayList<>();
                while (running.get()) {
                    keep.add(new byte[1024 + keep.size() % 4096]);
                    if (keep.size() > 20_000) {
                        keep.clear();
                        System.gc();
                    }
                }
            }, "allocator-" + t);
            allocator.setDaemon(true);
            allocator.start();
            allocators.add(allocator);
        }

        AtomicLong lastProgress = new AtomicLong(System.nanoTime());
        AtomicInteger hangs = new AtomicInteger();
        Thread watchdog = new Thread(() -> {
            while (running.get()) {
                if (System.nanoTime() - lastProgress.get() > STUCK_NANOS) {
                    hangs.incrementAndGet();
                    ProcessHandle.current().children().forEach(ProcessHandle::destroyForcibly);
                    lastProgress.set(System.nanoTime());
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        int failures = 0;
        long start = System.nanoTime();
        try {
            for (int i = 0; i < LAUNCHES; i++) {
                // Read for each launch, as isolate does: after the first, the forwarders are handlers too.
                LaunchPlan plan = Planner.plan(spec, HostFacts.read(), Prepared.NOTHING);
                if (supervisor.run(plan, ChildEvents.NONE) != 0) {
                    failures++;
                }
                lastProgress.set(System.nanoTime());
            }
        } finally {
            running.set(false);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("StressIT: %d launches, %d hangs, %d failures, %d ms (%.2f ms per launch)%n",
                LAUNCHES, hangs.get(), failures, millis, millis / (double) LAUNCHES);
        assertEquals(0, hangs.get(), "hung launches");
        assertEquals(0, failures, "launches that did not exit 0");
        assertEquals(0, ProcessHandle.current().children().count(), "no zombies or strays");
        assertEquals(mountsBefore, HostMounts.snapshot(), "no mount leaked");
    }
}
