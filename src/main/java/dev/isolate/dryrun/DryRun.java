package dev.isolate.dryrun;

import dev.isolate.json.Json;
import dev.isolate.step.Check;
import dev.isolate.step.LaunchPlan;
import dev.isolate.step.ParentStep;
import dev.isolate.step.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a launch would do, shown instead of done: the host's preparation, the clone, the
 * parent's steps and every child step as a system call, numbered as -v numbers them.
 *
 * @param command the command line the launch would run
 * @param host    what the host's preparation would make, in order
 * @param plan    the clone flags and the steps
 */
public record DryRun(List<String> command, List<HostAction> host, LaunchPlan plan) {
    public DryRun {
        command = List.copyOf(command);
        host = List.copyOf(host);
    }

    /** The text isolate --dry-run prints. */
    public String text() {
        StringBuilder out = new StringBuilder();
        out.append("# isolate --dry-run: nothing was done. ").append(StraceNotation.CHILD)
                .append(" stands for the child's pid, known once it is cloned.\n");
        host(out, HostAction.Stage.BEFORE_CLONE, "host, before the clone:");
        out.append(StraceNotation.clone(plan)).append('\n');
        List<Integer> waits = waits();
        for (int i = 0; i < plan.pauses().size(); i++) {
            List<ParentStep> steps = plan.pauses().get(i).parentSteps();
            if (!steps.isEmpty()) {
                out.append(i == 0 ? "parent, while the child waits:\n"
                        : "parent, while the child waits again (step " + waits.get(i) + "):\n");
                for (ParentStep step : steps) {
                    out.append("  ").append(StraceNotation.parentStep(step)).append("  # ").append(step.what())
                            .append('\n');
                }
            }
            if (i == 0) {
                host(out, HostAction.Stage.WHILE_CHILD_WAITS, "host, while the child waits:");
            }
        }
        out.append("child:\n");
        List<String> calls = StraceNotation.childSteps(plan.childSteps());
        for (int i = 0; i < calls.size(); i++) {
            Step step = plan.childSteps().get(i);
            out.append(String.format("%4d %s  # %s%s%n", i, calls.get(i), step.what(), checkNote(step.check())));
        }
        return out.toString();
    }

    /** The child steps that wait for the parent, one per pause. */
    private List<Integer> waits() {
        List<Integer> waits = new ArrayList<>();
        for (int i = 0; i < plan.childSteps().size(); i++) {
            if (LaunchPlan.waitsForRelease(plan.childSteps().get(i))) {
                waits.add(i);
            }
        }
        return waits;
    }

    private void host(StringBuilder out, HostAction.Stage stage, String heading) {
        List<HostAction> actions = host.stream().filter(action -> action.stage() == stage).toList();
        if (actions.isEmpty()) {
            return;
        }
        out.append(heading).append('\n');
        for (HostAction action : actions) {
            out.append("  ").append(action.what()).append('\n');
            action.lines().forEach(line -> out.append("    ").append(line).append('\n'));
        }
    }

    /** The same as one JSON document. */
    public String json() {
        StringBuilder out = new StringBuilder("{\"command\": ").append(strings(command));
        out.append(", \"host\": [");
        List<String> actions = new ArrayList<>();
        for (HostAction action : host) {
            actions.add("{\"stage\": " + Json.string(action.stage().name().toLowerCase(Locale.ROOT).replace('_', ' '))
                    + ", \"what\": " + Json.string(action.what()) + ", \"lines\": " + strings(action.lines()) + "}");
        }
        out.append(String.join(", ", actions)).append("]");
        out.append(", \"clone\": {\"call\": ").append(Json.string(StraceNotation.clone(plan)))
                .append(", \"flags\": ").append(plan.cloneFlags()).append(", \"sharesMemory\": ")
                .append(plan.sharesMemory()).append("}");
        List<String> parent = new ArrayList<>();
        List<Integer> waits = waits();
        for (int i = 0; i < plan.pauses().size(); i++) {
            for (ParentStep step : plan.pauses().get(i).parentSteps()) {
                parent.add("{\"what\": " + Json.string(step.what()) + ", \"call\": "
                        + Json.string(StraceNotation.parentStep(step)) + ", \"whileStep\": " + waits.get(i) + "}");
            }
        }
        out.append(", \"parent\": [").append(String.join(", ", parent)).append("]");
        List<String> child = new ArrayList<>();
        List<String> calls = StraceNotation.childSteps(plan.childSteps());
        for (int i = 0; i < calls.size(); i++) {
            Step step = plan.childSteps().get(i);
            child.add("{\"step\": " + i + ", \"syscall\": " + Json.string(StraceNotation.name(step.call()))
                    + ", \"call\": " + Json.string(calls.get(i)) + ", \"what\": " + Json.string(step.what())
                    + ", \"check\": " + Json.string(checkName(step.check()))
                    + step.saveIn().map(slot -> ", \"savesIn\": " + slot.index()).orElse("") + "}");
        }
        out.append(", \"child\": [").append(String.join(", ", child)).append("]}");
        return out.append('\n').toString();
    }

    private static String checkNote(Check check) {
        if (check.equals(Check.IGNORE)) {
            return " (its result is ignored)";
        }
        if (check.equals(Check.EXEC_CANDIDATE)) {
            return " (if not found or not permitted, the next)";
        }
        if (check.equals(Check.SUCCESS_OR_EXISTS)) {
            return " (EEXIST is no failure)";
        }
        if (check.equals(Check.CLONED)) {
            return " (the new process goes on; this one reports its pid and exits)";
        }
        if (check.equals(Check.EXEC_PROBE)) {
            return " (if found, the next step runs it; if not, that step is skipped)";
        }
        if (check.code() >= 0) {
            return " (must return " + check.code() + ")";
        }
        return "";
    }

    private static String checkName(Check check) {
        if (check.equals(Check.SUCCESS)) {
            return "success";
        }
        if (check.equals(Check.IGNORE)) {
            return "ignore";
        }
        if (check.equals(Check.EXEC_CANDIDATE)) {
            return "exec candidate";
        }
        if (check.equals(Check.SUCCESS_OR_EXISTS)) {
            return "success or exists";
        }
        if (check.equals(Check.CLONED)) {
            return "cloned";
        }
        if (check.equals(Check.EXEC_PROBE)) {
            return "exec probe";
        }
        return "exactly " + check.code();
    }

    private static String strings(List<String> values) {
        return "[" + String.join(", ", values.stream().map(Json::string).toList()) + "]";
    }
}
