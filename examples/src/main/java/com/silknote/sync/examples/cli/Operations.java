package com.silknote.sync.examples.cli;

import com.silknote.sync.core.exception.ConfigurationException;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.examples.config.Values;
import com.silknote.sync.examples.config.VsrxSyncSettings;
import com.silknote.sync.examples.embedded.Backends;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine;

/** What the operation commands (cleanup, check, repair, migrate, audit) share. */
final class Operations {
    private Operations() { }

    /**
     * The VSRX source when one is configured; the operations that use it (forgetting skips of files VSRX no longer
     * lists, fetching a blob again) do without it and say so.
     */
    static Optional<VsrxSource> optionalSource(CliEnvironment env, VsrxSyncSettings settings, String without) {
        try {
            return Optional.of(env.sources().open(settings));
        } catch (ConfigurationException e) {
            env.err().println("no VSRX configured (" + e.getMessage() + "): " + without);
            env.err().flush();
            return Optional.empty();
        }
    }

    /** Tells who holds the lock when an operation was refused it. */
    static void refused(CliEnvironment env, Backends backends) {
        env.err().println("another run holds the lock: " + SyncCommand.holder(backends.lock().inspect(SyncConfig.LOCK_NAME)));
        env.err().flush();
    }

    /** Prints a result on out. */
    static void print(CliEnvironment env, String text) {
        env.out().print(text.endsWith("\n") ? text : text + "\n");
        env.out().flush();
    }

    /** Reads durations as the configuration does: {@code 30m}, {@code 24h}, {@code 7d}, ISO-8601. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = Values.parseDuration(value);
            if (d.isNegative()) {
                throw new IllegalArgumentException("must not be negative");
            }
            return d;
        }
    }
}
