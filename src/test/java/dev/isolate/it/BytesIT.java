package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every byte from 0x01 to 0xff passes through isolate unchanged, as through util-linux
 * unshare: in COMMAND's arguments, in environment values given with -e or inherited, in the
 * paths of -R (a directory and an archive), -w, -b (source and destination) and
 * --overlay-upper, through run -d's second isolate, and in the messages that quote them;
 * under LC_ALL=C, where the JVM decodes nothing above 0x7f, and under C.UTF-8, where it
 * decodes no byte that is not UTF-8. The test JVM cannot pass such bytes itself (ProcessBuilder
 * encodes with the locale's charset), so a bash script does, and reports what came out in hex.
 * As root; {@link RootlessBytesIT} runs it again as nobody.
 */
class BytesIT {
    /** bash builds the bytes itself; every command's stdout and stderr come back in hex. */
    private static final String SCRIPT = """
            export LC_ALL=C   # bash itself counts and cuts bytes
            locale=$1 image=$2 work=$3 owner=$4 name=$5
            all= each=() path= high=
            for i in $(seq 1 255); do
                printf -v b '\\\\x%02x' "$i"; printf -v b "$b"   # not $(...): that drops a newline
                all+=$b; each+=("$b")
                [ "$i" -ne 47 ] && path+=$b    # a path component holds every byte but '/'
                [ "$i" -ge 128 ] && high+=$b
            done
            few=$'\\x80\\xc3\\xbc\\xff'       # a hostname has at most 64
            bind=${path//:/}                 # -b SRC:DST[:ro] cannot hold a ':'
            hex() { od -An -v -tx1 | tr -d ' \\n'; }
            check() {  # LABEL ARGS...: LABEL=status:stdout:stderr
                local label=$1; shift
                LC_ALL=$locale isolate "$@" >"$work/out" 2>"$work/err"; local status=$?
                echo "$label=$status:$(hex <"$work/out"):$(hex <"$work/err")"
            }
            cp -a "$image" "$work/$path"
            echo hello >"$work/$path/marker"
            echo hello >"$work/$bind"
            mkdir "$work/$path/$path" "$work/$path/mnt/$bind"
            (cd "$work/$path" && tar -czf "$work/${path:4}.tgz" .)
            chown -R "$owner" "$work"

            check args-one printf %s "$all"
            check args-each printf '%s\\0' "${each[@]}"
            check env-option -e "V=$all" printenv V
            V=$all check env-inherited printenv V
            check rootfs -R "$work/$path" cat /marker
            check archive -R "$work/${path:4}.tgz" cat /marker
            check workdir -R "$work/$path" -w "/$path" pwd
            check bind -R "$work/$path" -b "$work/$bind:/mnt/$bind/$bind" cat "/mnt/$bind/$bind"
            # fsconfig takes at most 255 bytes an option, so overlayfs's directories get half each
            mkdir "$work/o"; low=${path:0:126}
            for half in low high; do
                cp -a "$image" "$work/o/${!half}"; chown -R "$owner" "$work/o"
                check "upper-$half" -R "$work/o/${!half}" --overlay-upper "$work/u/${!half}" sh -c 'echo kept >/kept'
                echo "upper-$half-kept=$(hex <"$work/u/${!half}/upper/kept")"
            done
            check missing-rootfs -R "/no/$high" true
            check bad-hostname -u "h$few" true
            check missing-command "$high"

            check detach run -d --name "$name" -e "V=$all" sh -c 'printf %s "$1"; printenv V' sh "$all"
            echo "detach-log=$(LC_ALL=$locale isolate logs -f "$name" | hex)"
            isolate rm -f "$name" >/dev/null
            check detach-fails run -d --name "$name-w" -R "$work/$path" -w "/no/$high" true
            isolate rm -f "$name-w" >/dev/null 2>&1
            """;

    private Path work;

    Isolate isolate() {
        return Isolate.AS_ROOT;
    }

    boolean rootless() {
        return false;
    }

    @BeforeEach
    void root() throws IOException {
        Privileged.requireRoot();
        work = Files.createTempDirectory(Path.of("/tmp"), "isolate-bytes");
    }

    @AfterEach
    void removeWork() {
        TestImages.delete(work);
    }

    @ParameterizedTest
    @ValueSource(strings = {"C", "C.UTF-8"})
    void everyByteComesOutAsItWentIn(String locale) throws IOException {
        String owner = rootless() ? "65534:65534" : "0:0";
        Path runtime = Files.createDirectory(work.resolve("runtime"));
        Path files = Files.createDirectory(work.resolve("files"));
        TestImages.run(List.of("chmod", "755", work.toString()));
        TestImages.run(List.of("chown", owner, runtime.toString()));
        Path script = Files.writeString(work.resolve("bytes.sh"), "isolate() { " + isolate()
                .withEnvironment("XDG_RUNTIME_DIR=" + runtime, "XDG_DATA_HOME=" + files.resolve("data"))
                .shellCommand() + " \"$@\"; }\n" + SCRIPT);
        String name = "BytesIT-" + ProcessHandle.current().pid() + "-" + locale.replace('.', '-');
        Isolate.Result r = Isolate.exec(List.of("bash", script.toString(), locale,
                TestImages.fresh(rootless()).toString(), files.toString(), owner, name), null);
        Map<String, String> results = new LinkedHashMap<>();
        r.out().lines().forEach(line -> results.put(line.substring(0, line.indexOf('=')),
                line.substring(line.indexOf('=') + 1)));

        byte[] all = range(1, 255, b -> true);
        byte[] path = range(1, 255, b -> b != '/');
        byte[] high = range(128, 255, b -> true);
        ByteArrayOutputStream each = new ByteArrayOutputStream();
        for (byte b : all) {
            each.write(b);
            each.write(0);
        }
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("args-one", ok(all));
        expected.put("args-each", ok(each.toByteArray()));
        expected.put("env-option", ok(bytes(all, "\n")));
        expected.put("env-inherited", ok(bytes(all, "\n")));
        expected.put("rootfs", ok(bytes("hello\n")));
        expected.put("archive", ok(bytes("hello\n")));
        expected.put("workdir", ok(bytes("/", path, "\n")));
        expected.put("bind", ok(bytes("hello\n")));
        for (String half : List.of("low", "high")) {
            expected.put("upper-" + half, ok(bytes()));
            expected.put("upper-" + half + "-kept", hex(bytes("kept\n")));
        }
        // A message quotes valid UTF-8 as it is (ü) and escapes every other byte. 0x80-0xff in a
        // row holds no UTF-8 at all: continuation bytes without a lead, then lead bytes each
        // followed by another lead byte.
        String escapedHigh = escaped(high);
        expected.put("missing-rootfs", failed(125, bytes("isolate: rootfs /no/", escapedHigh,
                ": no such file or directory\n")));
        expected.put("bad-hostname", failed(125, bytes("isolate: hostname \"h\\x80", new byte[] {(byte) 0xc3,
                (byte) 0xbc}, "\\xff\": use letters, digits and inner hyphens, in dot-separated labels\n")));
        expected.put("missing-command", failed(127, bytes("isolate: exec \"", escapedHigh,
                "\": No such file or directory\n")));
        expected.put("detach", ok(bytes(name, "\n")));
        expected.put("detach-log", hex(bytes(all, all, "\n")));
        expected.put("detach-fails", failed(125, bytes("isolate: chdir \"/no/", escapedHigh,
                "\": No such file or directory\n")));
        assertEquals(expected.keySet(), results.keySet(), r.out());
        assertAll(expected.keySet().stream().map(key -> () -> assertEquals(expected.get(key), results.get(key),
                key + " under LC_ALL=" + locale + " (exit:stdout:stderr in hex)")));
        assertEquals("", r.err(), "the script itself runs cleanly");
    }

    /** Each byte as \\xHH, as a message writes a byte that is not part of printable UTF-8. */
    private static String escaped(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            out.append(String.format("\\x%02x", b & 0xff));
        }
        return out.toString();
    }

    private static byte[] range(int from, int to, IntPredicate keep) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b = from; b <= to; b++) {
            if (keep.test(b)) {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    /** Parts in a row: byte arrays as they are, strings in ASCII. */
    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            out.writeBytes(part instanceof byte[] b ? b : ((String) part).getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static String ok(byte[] out) {
        return "0:" + hex(out) + ":";
    }

    private static String failed(int status, byte[] err) {
        return status + "::" + hex(err);
    }
}
