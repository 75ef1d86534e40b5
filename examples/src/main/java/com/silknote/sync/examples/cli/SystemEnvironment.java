package com.silknote.sync.examples.cli;

import com.silknote.sync.examples.embedded.EmbeddedDefault;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;

/** The real world of the command line: this process's environment, streams, clock and terminal. */
final class SystemEnvironment {
    private SystemEnvironment() { }

    static CliEnvironment create() {
        Charset cs = System.console() != null ? System.console().charset() : Charset.defaultCharset();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, cs), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, cs), true);
        CompletableFuture<Void> stop = new CompletableFuture<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.complete(null), "vsrx-sync-stop"));
        return new CliEnvironment(System.getenv(), out, err, Clock.systemUTC(), System.console() != null,
                EmbeddedDefault::open, EmbeddedDefault::vsrxSource, stop);
    }
}
