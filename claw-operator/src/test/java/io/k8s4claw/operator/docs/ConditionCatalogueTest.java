package io.k8s4claw.operator.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.api.v1alpha1.ClawPhase;
import io.k8s4claw.operator.install.RepoRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code claw-operator/docs/conditions.md} lists every condition type and reason the operator sets, read from the
 * code: condition types are the {@code CONDITION_*} constants of claw-api and the operator; reasons are the
 * CamelCase string literals inside the calls that set a condition ({@code .condition(}, {@code .unknown(},
 * {@code withReason(}, and the constructors of records and calls of methods that take {@code boolean ok, …, String
 * reason} — {@code new Verdict(}, {@code new Condition(}, … found in the code), the string of every enum constant like
 * {@code REGISTRY_ERROR("RegistryError")} (the only such enums of the operator carry reasons), and the phase names
 * some conditions take as their reason. A reason
 * added in code without a line in the catalogue fails here.
 */
class ConditionCatalogueTest {

    static final Path ROOT = RepoRoot.path();
    static final Path CATALOGUE = ROOT.resolve("claw-operator/docs/conditions.md");
    static final Pattern TYPE_CONSTANT = Pattern.compile("\\bCONDITION(?:_[A-Z_]+)?\\s*=\\s*\"([A-Za-z]+)\"");
    static final Pattern SETTER = Pattern.compile("(\\.condition\\(|\\.unknown\\(|withReason\\()");
    /**
     * A record whose components include {@code boolean ok} (or {@code Boolean ok}) and {@code String reason}: a
     * condition's verdict.
     */
    static final Pattern VERDICT_RECORD = Pattern.compile("record\\s+(\\w+)\\s*\\(([^)]*)\\)");
    /** A method with parameters {@code boolean ok ... String reason}: it writes a condition. */
    static final Pattern VERDICT_METHOD = Pattern.compile("\\b(\\w+)\\s*\\(([^()]*)\\)\\s*\\{");

    static final Pattern OK_AND_REASON =
            Pattern.compile("\\b[bB]oolean\\s+ok\\b.*\\bString\\s+reason\\b", Pattern.DOTALL);
    static final Pattern REASON_LITERAL = Pattern.compile("\"([A-Z][A-Za-z]+)\"");
    /** An enum constant carrying a reason, like TagListing.Problem's {@code REGISTRY_ERROR("RegistryError")}. */
    static final Pattern REASON_ENUM_CONSTANT = Pattern.compile("(?m)^\\s+[A-Z_]+\\(\"([A-Z][A-Za-z]+)\"\\)[,;]");

    @Test
    void everyConditionTypeIsInTheCatalogue() throws IOException {
        String doc = Files.readString(CATALOGUE);
        Set<String> types = new TreeSet<>();
        for (String source :
                sources(ROOT.resolve("claw-api/src/main/java"), ROOT.resolve("claw-operator/src/main/java"))) {
            Matcher m = TYPE_CONSTANT.matcher(source);
            while (m.find()) {
                types.add(m.group(1));
            }
        }
        assertThat(types).contains("Ready", "ConfigValid", "RuntimeReady", "BridgeReady", "ChannelsReady");
        assertThat(types)
                .allSatisfy(t -> assertThat(doc)
                        .as("conditions.md names condition type %s", t)
                        .contains("`" + t + "`"));
    }

    @Test
    void everyReasonTheOperatorSetsIsInTheCatalogue() throws IOException {
        String doc = Files.readString(CATALOGUE);
        TreeMap<String, String> reasons = new TreeMap<>();
        List<Path> javaFiles;
        try (Stream<Path> files = Files.walk(ROOT.resolve("claw-operator/src/main/java"))) {
            javaFiles = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        // Calls that carry a condition's reason: the builder's, and those of every record or method taking
        // (boolean ok, ..., String reason) — found in the code, so a new kind of verdict is picked up by itself.
        StringBuilder setters = new StringBuilder(SETTER.pattern());
        Set<String> verdicts = new TreeSet<>();
        for (Path file : javaFiles) {
            String source = Files.readString(file);
            Matcher record = VERDICT_RECORD.matcher(source);
            while (record.find()) {
                if (OK_AND_REASON.matcher(record.group(2)).find()) {
                    verdicts.add("new " + record.group(1));
                }
            }
            Matcher method = VERDICT_METHOD.matcher(source);
            while (method.find()) {
                if (OK_AND_REASON.matcher(method.group(2)).find()
                        && !method.group(1).equals("condition")) {
                    verdicts.add(method.group(1));
                }
            }
        }
        assertThat(verdicts).as("verdict records/methods found in the code").contains("new Verdict", "new Condition");
        verdicts.forEach(v -> setters.insert(setters.length() - 1, "|\\b" + Pattern.quote(v) + "\\s*\\("));
        Pattern setter = Pattern.compile(setters.toString());
        for (Path file : javaFiles) {
            String source = Files.readString(file);
            Matcher call = setter.matcher(source);
            while (call.find()) {
                Matcher literal = REASON_LITERAL.matcher(callArguments(source, call.end()));
                while (literal.find()) {
                    reasons.putIfAbsent(literal.group(1), file.getFileName().toString());
                }
            }
            Matcher constant = REASON_ENUM_CONSTANT.matcher(source);
            while (constant.find()) {
                reasons.putIfAbsent(constant.group(1), file.getFileName().toString());
            }
        }
        assertThat(reasons).containsKeys("Valid", "Invalid", "ContainerReady", "SecretNotFound", "MissingDependency");
        reasons.forEach((reason, file) -> assertThat(doc)
                .as("conditions.md explains reason %s (set in %s)", reason, file)
                .contains("`" + reason + "`"));
        // Ready, RuntimeReady, BridgeReady and ChannelsReady take the phase as their reason while not ready.
        for (String phase : ClawPhase.allowedValues()) {
            assertThat(doc).as("conditions.md explains phase %s", phase).contains("`" + phase + "`");
        }
    }

    /** The text of a call's arguments: from just after its opening parenthesis to the one that closes it. */
    static String callArguments(String source, int from) {
        int depth = 1;
        boolean inString = false;
        for (int i = from; i < source.length(); i++) {
            char c = source.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return source.substring(from, i);
            }
        }
        return source.substring(from);
    }

    static List<String> sources(Path... roots) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file :
                        files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    out.add(Files.readString(file));
                }
            }
        }
        return out;
    }
}
