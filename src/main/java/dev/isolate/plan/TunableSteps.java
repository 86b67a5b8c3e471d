package dev.isolate.plan;

import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Tunables;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.ParentStep;
import dev.isolate.step.Step;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** The child's steps for what the command starts with beyond its isolation (see {@link Tunables}). */
final class TunableSteps {
    private TunableSteps() {
    }

    /** setdomainname, with the hostname, in the new UTS namespace. */
    static void domainname(ContainerSpec spec, List<Step> steps) {
        spec.tunables().domainname().ifPresent(name -> steps.add(Step.of(Call.SETDOMAINNAME, Check.SUCCESS,
                "setdomainname \"" + name + "\"", Arg.of(name), Arg.of(name.length()))));
    }

    /**
     * The resource limits and the umask, while the child is still root of its namespaces: a
     * hard limit above the current one can be set only with privilege.
     */
    static void limits(ContainerSpec spec, List<Step> steps) {
        limits(spec.tunables(), steps);
    }

    /** The same for a join's command, before it takes on the target's confinement. */
    static void limits(Tunables tunables, List<Step> steps) {
        for (Tunables.Rlimit limit : tunables.rlimits()) {
            ByteBuffer rlimit = ByteBuffer.allocate(2 * Long.BYTES).order(ByteOrder.nativeOrder());
            rlimit.putLong(limit.soft()).putLong(limit.hard());
            steps.add(Step.of(Call.PRLIMIT64, Check.SUCCESS, "set " + limit.name() + " to "
                    + Long.toUnsignedString(limit.soft()) + ":" + Long.toUnsignedString(limit.hard()),
                    Arg.of(0), Arg.of(limit.resource()), new Arg.Bytes(rlimit.array()), Arg.NULL));
        }
        tunables.umask().ifPresent(mask -> steps.add(Step.of(Call.UMASK, Check.IGNORE, "set the umask to 0"
                + Integer.toOctalString(mask), Arg.of(mask))));
    }

    /** The OOM score, written by the parent while the child waits: /proc/PID/oom_score_adj. */
    static List<ParentStep> parentSteps(ContainerSpec spec) {
        return spec.tunables().oomScoreAdj().stream().<ParentStep>mapToObj(score -> new ParentStep.WriteProcFile(
                "oom_score_adj", Integer.toString(score), "set the OOM score adjustment to " + score)).toList();
    }
}
