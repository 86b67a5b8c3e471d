import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Copies picocli's published sources, unpacked by the build, to where they are compiled into
 * isolate's jar, with a patch (run as a source-file program: java PicocliPatch.java FROM TO;
 * at every build, so that a changed patch applies to the sources as published). Two costs of
 * every command line's start, interpreted, that isolate has no use for:
 * <ul>
 * <li>every CommandSpec made its default negatable-option transformer as it was constructed,
 * compiling a dozen regular expressions, for options isolate does not have (negatable ones):
 * it is made when it is first asked for;
 * <li>each of the twenty-odd built-in converters that picocli.converters.excludes leaves out
 * (isolate excludes java.*, whose classes would load) was checked with String.matches, which
 * compiles the expression each time: it is compiled once.
 * </ul>
 * Another picocli version whose text differs fails the build, for the patch to be looked at again.
 */
public class PicocliPatch {
    private static final String NOTICE = "/* Changed by isolate's build (src/build/PicocliPatch.java): CommandSpec makes its"
            + " default negatable-option transformer when it is first asked for, and BuiltIn compiles each"
            + " converter-excluding expression once. */\n";
    private static final String[][] EDITS = {
        {"if (fqcn.matches(regex)) {", "if (excludePattern(regex).matcher(fqcn).matches()) {"},
        {"static Set<String> traced = new HashSet<String>();",
            "static Set<String> traced = new HashSet<String>();"
                    + " private static final Map<String, Pattern> EXCLUDE_PATTERNS = new HashMap<String, Pattern>();"
                    + " static Pattern excludePattern(String regex) { Pattern pattern = EXCLUDE_PATTERNS.get(regex);"
                    + " if (pattern == null) { pattern = Pattern.compile(regex); EXCLUDE_PATTERNS.put(regex, pattern); }"
                    + " return pattern; }"},
        {"private INegatableOptionTransformer negatableOptionTransformer = RegexTransformer.createDefault();",
            "private INegatableOptionTransformer negatableOptionTransformer;"},
        {"public INegatableOptionTransformer negatableOptionTransformer() { return negatableOptionTransformer; }",
            "public INegatableOptionTransformer negatableOptionTransformer() {"
                    + " if (negatableOptionTransformer == null) {"
                    + " negatableOptionTransformer = RegexTransformer.createDefault(); }"
                    + " return negatableOptionTransformer; }"},
    };

    public static void main(String[] args) throws Exception {
        Path from = Path.of(args[0], "picocli");
        Path to = Files.createDirectories(Path.of(args[1], "picocli"));
        try (DirectoryStream<Path> sources = Files.newDirectoryStream(from, "*.java")) {
            for (Path published : sources) {
                String source = Files.readString(published, StandardCharsets.UTF_8);
                if (published.getFileName().toString().equals("CommandLine.java")) {
                    source = NOTICE + patched(published, source);
                }
                Files.writeString(to.resolve(published.getFileName()), source, StandardCharsets.UTF_8);
            }
        }
    }

    private static String patched(Path file, String source) {
        for (String[] edit : EDITS) {
            int at = source.indexOf(edit[0]);
            if (at < 0 || source.indexOf(edit[0], at + 1) >= 0) {
                throw new IllegalStateException(file + ": not exactly one \"" + edit[0] + "\"");
            }
            source = source.replace(edit[0], edit[1]);
        }
        return source;
    }
}
