package io.k8s4claw.operator.cli;

import io.k8s4claw.operator.OperatorVersion;
import io.k8s4claw.operator.archive.ArchiveCommands;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code claw}: render, validate, and run the operator. */
@Command(
        name = "claw",
        mixinStandardHelpOptions = true,
        versionProvider = ClawCommand.Version.class,
        description = "k8s4claw: run AI-agent runtimes (Hermes Agent, OpenClaw, …) on Kubernetes.",
        subcommands = {
            RenderCommand.class,
            ValidateCommand.class,
            OperatorCommand.class,
            ArchiveCommands.Archive.class,
            ArchiveCommands.Restore.class,
            CommandLine.HelpCommand.class
        })
public final class ClawCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return new CommandLine(new ClawCommand()).execute(args);
    }

    /** Runs the CLI with its output and errors going to the given writers. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return new CommandLine(new ClawCommand()).setOut(out).setErr(err).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"claw " + OperatorVersion.current().version()};
        }
    }
}
