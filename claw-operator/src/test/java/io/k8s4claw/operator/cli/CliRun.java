package io.k8s4claw.operator.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the {@code claw} CLI. */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ClawCommand.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
