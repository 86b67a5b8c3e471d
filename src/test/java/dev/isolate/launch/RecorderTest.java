package dev.isolate.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isolate.Fixtures;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.state.StateStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecorderTest {
    @TempDir
    Path containers;

    @Test
    void theClaimRecordsTheCgroupsBeforeTheyAreMade() {
        StateStore store = new StateStore(containers);
        ContainerSpec spec = Fixtures.spec().command("true").build();
        List<String> cgroups = List.of("/sys/fs/cgroup/pids/jobs/isolate-1-2", "/sys/fs/cgroup/memory/jobs/isolate-1-2");
        Recorder.claim(store, "web", spec, Optional.empty(), cgroups);
        assertEquals(cgroups, store.get("web").cgroups(), "a gc after a kill -9 during set-up finds them");

        Recorder.claim(store, "batch", spec, Optional.empty(), List.of()); // what run -d's starter claims
        List<String> supervisors = List.of("/sys/fs/cgroup/pids/isolate/isolate-3-4");
        Recorder.adopt(store, "batch", supervisors);
        assertEquals(supervisors, store.get("batch").cgroups(), "the supervisor records the cgroups it makes");
    }
}
