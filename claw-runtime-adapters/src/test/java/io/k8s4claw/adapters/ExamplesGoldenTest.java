package io.k8s4claw.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.api.runtime.PodContribution;
import io.k8s4claw.api.runtime.RenderContext;
import io.k8s4claw.api.runtime.RuntimeAdapter;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.validation.ClawValidator;
import io.k8s4claw.api.validation.FieldError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Claw in the project's {@code examples/} validates (schema rules of claw-api plus its adapter's rules) and
 * renders to the golden files under {@code golden/<runtime>/<example>/}. Regenerate with {@code -Dgolden.update=true}.
 */
class ExamplesGoldenTest {

    private static final RuntimeAdapters ADAPTERS = RuntimeAdapters.load();

    static Stream<Arguments> examples() throws IOException {
        List<Arguments> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(Examples.DIR)) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                Examples.Loaded loaded = Examples.load(f.getFileName().toString(), "slack-team-channel.yaml");
                for (Claw claw : loaded.claws()) {
                    out.add(Arguments.of(f.getFileName().toString(), claw, loaded));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void exampleValidatesAndMatchesItsGoldenFiles(String file, Claw claw, Examples.Loaded loaded) {
        RuntimeAdapter adapter = ADAPTERS.require(claw.getSpec().getRuntime().wireValue());
        List<FieldError> errors =
                new ArrayList<>(ClawValidator.validateCreate(claw).errors());
        errors.addAll(adapter.validateCreate(claw));
        assertThat(errors).as("validation errors of %s", file).isEmpty();

        PodContribution pod = adapter.render(RenderContext.of(claw, Examples.channelsOf(claw, loaded.channels())));

        assertThat(pod)
                .as("rendering is a pure function")
                .isEqualTo(adapter.render(RenderContext.of(claw, Examples.channelsOf(claw, loaded.channels()))));
        Golden.assertContribution(adapter.runtimeId() + "/" + file.replace(".yaml", ""), pod);
    }
}
