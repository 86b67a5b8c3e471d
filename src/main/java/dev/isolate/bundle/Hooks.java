package dev.isolate.bundle;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * config.json's hooks, each list in the order given. createContainer and startContainer are
 * refused when read (see {@link Supported#HOOKS}).
 *
 * @param prestart      deprecated: run with createRuntime's, before them
 * @param createRuntime in the runtime's namespaces, once the container's are made
 * @param poststart     after the process started
 * @param poststop      after the container is deleted
 */
public record Hooks(List<Hook> prestart, List<Hook> createRuntime, List<Hook> poststart, List<Hook> poststop) {
    public static final Hooks NONE = new Hooks(List.of(), List.of(), List.of(), List.of());

    public Hooks {
        prestart = List.copyOf(prestart);
        createRuntime = List.copyOf(createRuntime);
        poststart = List.copyOf(poststart);
        poststop = List.copyOf(poststop);
    }

    /**
     * One hook: a program run with the container's state on its stdin.
     *
     * @param args    its argv, args[0] included, exactly as given; empty means the path alone
     * @param env     its complete environment, NAME=VALUE entries
     * @param timeout seconds it may take before it is killed and the operation fails
     */
    public record Hook(String path, List<String> args, List<String> env, OptionalInt timeout) {
        public Hook {
            args = List.copyOf(args);
            env = List.copyOf(env);
        }
    }

    static Hooks read(Node hooks) {
        if (hooks.absent()) {
            return NONE;
        }
        Set<String> known = new HashSet<>(Supported.HOOKS);
        known.addAll(List.of("createContainer", "startContainer"));
        hooks.fields(known);
        for (String inside : List.of("createContainer", "startContainer")) {
            hooks.refuse(inside, "isolate does not run hooks inside the container's namespaces yet");
        }
        return new Hooks(list(hooks.field("prestart")), list(hooks.field("createRuntime")),
                list(hooks.field("poststart")), list(hooks.field("poststop")));
    }

    private static List<Hook> list(Node list) {
        List<Hook> read = new ArrayList<>();
        for (Node hook : list.list()) {
            hook.fields(Set.of("path", "args", "env", "timeout"));
            Node path = hook.field("path");
            String file = path.require().string();
            if (!file.startsWith("/")) {
                throw path.fail("\"" + file + "\": must be an absolute path");
            }
            List<String> env = hook.field("env").strings();
            for (int i = 0; i < env.size(); i++) {
                if (env.get(i).indexOf('=') <= 0) {
                    throw hook.field("env").list().get(i).fail("\"" + env.get(i) + "\": expected NAME=VALUE");
                }
            }
            read.add(new Hook(file, hook.field("args").strings(), env,
                    hook.field("timeout").optionalInt(1, Integer.MAX_VALUE)));
        }
        return read;
    }
}
