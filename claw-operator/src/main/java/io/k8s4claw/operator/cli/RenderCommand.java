package io.k8s4claw.operator.cli;

import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.operator.desired.ClawPlanner;
import io.k8s4claw.operator.desired.ManifestPrinter;
import io.k8s4claw.operator.desired.SidecarImages;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code claw render FILE...}: the objects the operator would apply for the Claws in the files, offline.
 * Exit 0 when every Claw rendered, 1 when one is invalid (its errors on stderr), 2 on unreadable input.
 */
@Command(
        name = "render",
        mixinStandardHelpOptions = true,
        description = {
            "Print, as multi-document YAML, exactly what the operator would apply for the Claws and",
            "ClawChannels in FILE... (no cluster, no kubeconfig). Secret values are never printed."
        })
final class RenderCommand implements Callable<Integer> {

    @Parameters(
            arity = "1..*",
            paramLabel = "FILE",
            description = "YAML files with Claw, ClawChannel (and optionally Secret) objects")
    List<Path> files;

    @Option(names = "--bridge-image", description = "Bridge image when a Claw names none (default: ${DEFAULT-VALUE})")
    String bridgeImage = SidecarImages.defaults().bridge();

    @Option(
            names = "--channel-sidecar-image",
            description = "Channel sidecar image when a ClawChannel names none (default: ${DEFAULT-VALUE})")
    String channelImage = SidecarImages.defaults().channelSidecar();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ClawFileSet set = new ClawFileSet(files);
        set.problems().forEach(p -> err.println("error: " + p));
        if (!set.problems().isEmpty()) {
            err.flush();
            return 2;
        }
        ClawPlanner planner = new ClawPlanner(RuntimeAdapters.load(), new SidecarImages(bridgeImage, channelImage));
        int exit = 0;
        boolean first = true;
        for (ClawFileSet.Planned planned : set.plan(planner)) {
            switch (planned.plan()) {
                case ClawPlanner.Plan.Ready ready -> {
                    if (!first) {
                        out.println();
                    }
                    out.print(ManifestPrinter.print(ready.state()));
                    first = false;
                }
                case ClawPlanner.Plan.Invalid invalid -> {
                    err.println("error: " + planned.claw().where() + ": Claw "
                            + planned.claw().object().getMetadata().getName() + " is invalid:");
                    invalid.errors().forEach(e -> err.println("  " + e));
                    exit = 1;
                }
            }
        }
        if (first && exit == 0) {
            err.println(
                    "error: no Claw in " + files + " (ClawChannels are rendered as part of the Claws that use them)");
            exit = 2;
        }
        out.flush();
        err.flush();
        return exit;
    }
}
