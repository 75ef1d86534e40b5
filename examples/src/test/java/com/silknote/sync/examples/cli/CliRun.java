package com.silknote.sync.examples.cli;

import com.silknote.sync.examples.embedded.EmbeddedDefault;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** One in-process run of the command line: its exit code and what it printed on stdout and stderr. */
record CliRun(int code, String out, String err) {

    /**
     * {@code vsrx-sync ARGS} wired as the process wires itself: the embedded default (or what {@code env}
     * configures) and VSRX over HTTP; the system clock, not interactive, never stopped.
     */
    static CliRun real(Map<String, String> env, String... args) {
        return with(env, EmbeddedDefault::open, EmbeddedDefault::vsrxSource, args);
    }

    /** {@code vsrx-sync ARGS} with the given backends and VSRX source. */
    static CliRun with(Map<String, String> env, CliEnvironment.BackendFactory backends,
            CliEnvironment.SourceFactory sources, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliEnvironment e = new CliEnvironment(env, new PrintWriter(out, true), new PrintWriter(err, true),
                Clock.systemUTC(), false, backends, sources, new CompletableFuture<>());
        int code = VsrxSyncCommand.execute(e, args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
