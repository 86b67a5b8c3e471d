package dev.isolate.runtime;

import dev.isolate.exit.Failure;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One hook of config.json's hooks, as the runtime spec defines it: an absolute path, argv
 * (args[0] included, as execv takes it), an environment that replaces the runtime's when
 * given, and a timeout in seconds.
 */
public record Hook(String path, List<String> args, Optional<List<String>> env, OptionalInt timeout) {
    public Hook {
        args = List.copyOf(args);
        env = env.map(List::copyOf);
        if (!path.startsWith("/")) {
            throw Failure.input("hook \"" + path + "\": path: not absolute");
        }
        if (timeout.isPresent() && timeout.getAsInt() <= 0) {
            throw Failure.input("hook " + path + ": timeout " + timeout.getAsInt() + ": must be greater than zero");
        }
    }

    /** The hook as config.json and state.json write it. */
    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("path", path);
        if (!args.isEmpty()) {
            json.put("args", args);
        }
        env.ifPresent(e -> json.put("env", e));
        timeout.ifPresent(t -> json.put("timeout", t));
        return json;
    }

    /** A hook written by {@link #json}. */
    @SuppressWarnings("unchecked")
    static Hook fromJson(Map<String, Object> json) {
        Object timeout = json.get("timeout");
        return new Hook((String) json.get("path"), (List<String>) json.getOrDefault("args", List.of()),
                Optional.ofNullable((List<String>) json.get("env")),
                timeout == null ? OptionalInt.empty() : OptionalInt.of(((Number) timeout).intValue()));
    }
}
