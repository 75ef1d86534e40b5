package com.silknote.sync.examples.cli;

import com.silknote.sync.examples.embedded.EmbeddedDefault;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The real world of the command line: this process's environment, streams, clock and terminal. On SIGTERM or
 * Ctrl-C the JVM's shutdown hook completes the environment's {@code stop} signal; when the command said it stops
 * gracefully ({@link #stopsGracefully()}: {@code sync} and {@code run-every} let the filesets in flight commit),
 * the hook then waits (up to {@link #GRACE}) until the command returned, so it is not cut off when the hooks end.
 */
final class SystemEnvironment {
    /** Longest a shutdown waits for the command to finish after asking it to stop. */
    static final Duration GRACE = Duration.ofMinutes(10);
    private static final CountDownLatch COMMAND_DONE = new CountDownLatch(1);
    private static final AtomicBoolean GRACEFUL = new AtomicBoolean();

    private SystemEnvironment() { }

    /** Called by a command that reacts to the stop signal by finishing gracefully: a shutdown waits for it. */
    static void stopsGracefully() {
        GRACEFUL.set(true);
    }

    /** Called once the command returned: a shutdown in progress may end the JVM now. */
    static void commandDone() {
        COMMAND_DONE.countDown();
    }

    static CliEnvironment create() {
        Charset cs = System.console() != null ? System.console().charset() : Charset.defaultCharset();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, cs), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, cs), true);
        CompletableFuture<Void> stop = new CompletableFuture<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.complete(null);
            if (!GRACEFUL.get()) {
                return;
            }
            try {
                COMMAND_DONE.await(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "vsrx-sync-stop"));
        return new CliEnvironment(System.getenv(), out, err, Clock.systemUTC(), System.console() != null,
                EmbeddedDefault::open, settings -> {
                    // before the source's first download: the JDK reads the property once (VsrxSyncCommand)
                    VsrxSyncCommand.keepAliveConnections(settings.syncConfig().fileConcurrency());
                    return EmbeddedDefault.vsrxSource(settings);
                }, stop);
    }
}
