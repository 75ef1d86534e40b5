package com.silknote.sync.examples.cli;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.examples.config.VsrxSyncSettings;
import com.silknote.sync.examples.embedded.Backends;
import com.silknote.sync.examples.embedded.OpenMode;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What the command line sees of the outside world, so tests can run it in-process: the environment
 * variables, the two output streams, the clock, whether a terminal is attached, how to open the Silknote
 * side and the VSRX source from settings, and a signal that ends long-running commands ({@code serve-vsrx}).
 *
 * @param env         environment variables (only {@code VSRX_SYNC_*} are read)
 * @param out         results (reports, status)
 * @param err         progress, messages and errors
 * @param clock       wall clock for durations and the progress bar
 * @param interactive {@code true} when attached to a terminal: draw a progress bar
 * @param backends    opens the Silknote side (ledger, lock, blobs, vectors, processing)
 * @param sources     opens the VSRX source a {@code sync} reads
 * @param stop        completes when a long-running command should stop
 */
public record CliEnvironment(Map<String, String> env, PrintWriter out, PrintWriter err, Clock clock,
        boolean interactive, BackendFactory backends, SourceFactory sources, CompletableFuture<Void> stop) {

    /** Opens the Silknote side from settings. */
    @FunctionalInterface
    public interface BackendFactory {
        /**
         * @param mode {@link OpenMode#READ_ONLY} for commands that only read: nothing may be created
         * @throws com.silknote.sync.core.exception.SyncException when a backend cannot be opened
         */
        Backends open(VsrxSyncSettings settings, OpenMode mode);
    }

    /** Opens the VSRX source from settings. */
    @FunctionalInterface
    public interface SourceFactory {
        /** @throws com.silknote.sync.core.exception.ConfigurationException when no source is configured */
        VsrxSource open(VsrxSyncSettings settings);
    }

    public CliEnvironment {
        env = Map.copyOf(requireNonNull(env, "env"));
        requireNonNull(out, "out");
        requireNonNull(err, "err");
        requireNonNull(clock, "clock");
        requireNonNull(backends, "backends");
        requireNonNull(sources, "sources");
        requireNonNull(stop, "stop");
    }

    /** The same environment with other factories (tests, custom hosts). */
    public CliEnvironment with(BackendFactory newBackends, SourceFactory newSources) {
        return new CliEnvironment(env, out, err, clock, interactive, newBackends, newSources, stop);
    }
}
