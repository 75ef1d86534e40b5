package com.silknote.sync.examples.cli;

import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.examples.embedded.Backends;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.TestClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Runs the command line in-process against in-memory backends and captures its output. */
final class CliFixture {
    final SilknoteSimulator silknote;
    final VsrxSource source;
    final Map<String, String> env;
    final boolean interactive;
    final Clock clock;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    /** The stop signal of the next command (SIGTERM or Ctrl-C in the real world). */
    CompletableFuture<Void> stop = new CompletableFuture<>();

    CliFixture(SilknoteSimulator silknote, VsrxSource source, Map<String, String> env, boolean interactive, Clock clock) {
        this.silknote = silknote;
        this.source = source;
        this.env = env;
        this.interactive = interactive;
        this.clock = clock;
    }

    static CliFixture inMemory(VsrxSource source, TestClock clock) {
        return new CliFixture(new SilknoteSimulator(clock), source, Map.of(), false, Clock.systemUTC());
    }

    CliEnvironment environment() {
        return new CliEnvironment(env, new PrintWriter(out, true), new PrintWriter(err, true), clock, interactive,
                (settings, mode) -> new Backends(silknote.documents(), silknote.lock(), silknote.blobs(), silknote.vectors(),
                        silknote.processor(), settings.syncConfig(), List.of()),
                settings -> source, stop);
    }

    int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        int code = VsrxSyncCommand.execute(environment(), args);
        stop = new CompletableFuture<>();
        return code;
    }

    String out() {
        return out.toString();
    }

    String err() {
        return err.toString();
    }
}
