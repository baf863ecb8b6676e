package io.k8s4claw.operator.cli;

import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.validation.ClawChannelValidator;
import io.k8s4claw.api.validation.FieldError;
import io.k8s4claw.operator.desired.ClawPlanner;
import io.k8s4claw.operator.desired.ClawValidation;
import io.k8s4claw.operator.desired.SidecarImages;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code claw validate FILE...}: exit 0 when every Claw and ClawChannel is valid; otherwise every error with its field
 * path, exit 1.
 */
@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        description = "Check the Claws and ClawChannels in FILE...; print every problem with its field path.")
final class ValidateCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE")
    List<Path> files;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ClawFileSet set = new ClawFileSet(files);
        int exit = 0;
        for (String p : set.problems()) {
            err.println("error: " + p);
            exit = 1;
        }
        ClawPlanner planner = new ClawPlanner(RuntimeAdapters.load(), SidecarImages.defaults());
        for (ClawFileSet.Planned planned : set.plan(planner, false)) {
            String name = "Claw " + planned.claw().object().getMetadata().getName();
            if (planned.plan() == null) {
                out.println("valid: " + name + " (" + planned.claw().where() + "); ClawChannel(s) "
                        + String.join(", ", set.missingChannels(planned.claw().object()))
                        + " not among the files, so the pod was not rendered (add their files to check them too)");
                continue;
            }
            switch (planned.plan()) {
                case ClawPlanner.Plan.Ready ready -> {
                    out.println("valid: " + name + " (" + planned.claw().where() + ")");
                    ready.state().warnings().forEach(w -> out.println("  warning: " + w));
                }
                case ClawPlanner.Plan.Invalid invalid -> {
                    err.println("invalid: " + name + " (" + planned.claw().where() + ")");
                    invalid.errors().forEach(e -> err.println("  " + e));
                    exit = 1;
                }
            }
        }
        for (var channel : set.channels()) {
            var errors = new ArrayList<>(new LinkedHashSet<FieldError>(Stream.concat(
                            ClawChannelValidator.validateManifest(channel.source()).errors().stream(),
                            ClawValidation.validateChannel(channel.object()).stream())
                    .toList()));
            if (errors.isEmpty()) {
                out.println("valid: ClawChannel "
                        + channel.object().getMetadata().getName() + " (" + channel.where() + ")");
            } else {
                err.println("invalid: ClawChannel "
                        + channel.object().getMetadata().getName() + " (" + channel.where() + ")");
                errors.forEach(e -> err.println("  " + e));
                exit = 1;
            }
        }
        if (set.isEmpty() && set.problems().isEmpty()) {
            err.println("error: no Claw or ClawChannel in " + files);
            exit = 1;
        }
        out.flush();
        err.flush();
        return exit;
    }
}
