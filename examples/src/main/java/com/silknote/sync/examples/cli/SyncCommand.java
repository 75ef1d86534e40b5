package com.silknote.sync.examples.cli;

import com.silknote.sync.core.RunControl;
import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.exception.ConfigurationException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.RunBudget;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.core.port.VsrxTarget;
import com.silknote.sync.examples.config.Values;
import com.silknote.sync.examples.config.VsrxSyncSettings;
import com.silknote.sync.examples.embedded.Backends;
import com.silknote.sync.examples.embedded.EmbeddedDefault;
import com.silknote.sync.examples.embedded.OpenMode;
import com.silknote.sync.examples.report.ReportFormat;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code vsrx-sync sync}: one run over every fileset (or one), then its report. */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = "Runs one sync from VSRX into Silknote and prints its report.")
final class SyncCommand implements Callable<Integer> {

    @ParentCommand
    VsrxSyncCommand root;

    @Option(names = "--fileset", paramLabel = "ID", description = "Sync only this fileset.")
    String fileset;

    @Option(names = "--dry-run", description = "Plan only: download nothing, write nothing, report what would happen.")
    boolean dryRun;

    @Option(names = "--incremental",
            description = "Only filesets changed since the last complete sync (VSRX changedSince).")
    boolean incremental;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--no-progress", description = "No progress bar, even on a terminal.")
    boolean noProgress;

    @Option(names = "--max-files", paramLabel = "N",
            description = "Stop at a fileset boundary once N files were downloaded (overrides run.max-files).")
    Long maxFiles;

    @Option(names = "--max-bytes", paramLabel = "SIZE",
            description = "Stop at a fileset boundary once SIZE was downloaded (overrides run.max-bytes).")
    String maxBytes;

    @Override
    public Integer call() {
        CliEnvironment env = root.environment();
        VsrxSyncSettings settings = root.settings();
        SyncRequest request = new SyncRequest(dryRun, Optional.ofNullable(fileset).map(FilesetId::of), incremental,
                budget(settings.runBudget(), maxFiles, maxBytes));
        VsrxSource source = env.sources().open(settings);
        try (Backends backends = env.backends().open(settings, OpenMode.READ_WRITE)) {
            SyncResult result = run(env, backends, source, EmbeddedDefault.vsrxTarget(settings, source), request,
                    !noProgress);
            print(env, result, json);
            if (result.isAlreadyInProgress()) {
                env.err().println("another run holds the lock: " + holder(backends.lock().inspect(SyncConfig.LOCK_NAME)));
                env.err().flush();
            }
            return ExitCode.of(result);
        } finally {
            closeQuietly(source);
        }
    }

    /**
     * The configured budget with the command line's limits.
     *
     * @throws ConfigurationException when a limit is not a positive number or size
     */
    static RunBudget budget(RunBudget configured, Long maxFiles, String maxBytes) {
        try {
            RunBudget b = configured;
            if (maxFiles != null) {
                b = b.withMaxFiles(maxFiles);
            }
            if (maxBytes != null) {
                b = b.withMaxBytes(Values.parseBytes(maxBytes));
            }
            return b;
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("--max-files and --max-bytes must be positive: " + e.getMessage());
        }
    }

    /**
     * Runs one sync with a progress display fitting the environment. A progress bar gets the number of filesets
     * up front: one for {@code --fileset}, else (full runs) counted from VSRX's listing first, which costs one
     * request per thousand filesets; an incremental run's total stays unknown (the bar says so).
     */
    static SyncResult run(CliEnvironment env, Backends backends, VsrxSource source, Optional<VsrxTarget> target,
            SyncRequest request, boolean progress) {
        SyncListener listener = SyncListener.NONE;
        if (progress) {
            ProgressListener p = env.interactive() ? ProgressListener.bar(env.err(), env.clock())
                    : ProgressListener.logLines(env.clock());
            if (request.onlyFileset().isPresent()) {
                p.expectFilesets(1);
            } else if (env.interactive() && !request.incremental()) {
                countFilesets(source).ifPresent(p::expectFilesets);
            }
            listener = p;
        }
        VsrxSync.Builder builder = backends.syncBuilder(source).listener(listener).clock(env.clock());
        target.ifPresent(builder::target);
        VsrxSync sync = builder.build();
        // SIGTERM or Ctrl-C: stop at the next fileset boundary; the filesets in flight commit, the next run resumes
        RunControl control = new RunControl();
        SystemEnvironment.stopsGracefully();
        env.stop().thenRun(() -> control.requestStop("stop signal"));
        return sync.run(request, control);
    }

    /** The number of filesets VSRX lists, or empty when the listing fails (the run will report that). */
    static OptionalInt countFilesets(VsrxSource source) {
        try {
            int n = 0;
            PageRequest request = PageRequest.first(PageRequest.MAX_LIMIT);
            while (true) {
                Page<VsrxFileset> page = source.listFilesets(request);
                n += page.items().size();
                if (page.nextCursor().isEmpty()) {
                    return OptionalInt.of(n);
                }
                request = request.next(page.nextCursor().get());
            }
        } catch (SyncException e) {
            return OptionalInt.empty();
        }
    }

    /** Prints a result: the report (table or JSON) on out, the error on err. */
    static void print(CliEnvironment env, SyncResult result, boolean json) {
        if (result.report().isPresent()) {
            env.out().print(json ? ReportFormat.json(result.report().get()) + "\n"
                    : ReportFormat.table(result.report().get()));
        }
        if (result.isStopped()) {
            env.err().println("sync " + result.error().orElse("stopped") + "; the next run resumes where it stopped");
        } else if (result.status() == SyncResult.Status.JOINED) {
            env.err().println("sync joined the run " + result.report().map(r -> r.runId().value()).orElse("")
                    + " another process coordinates, as a worker");
        } else if (!result.isAlreadyInProgress()) {
            result.error().ifPresent(e -> env.err().println("sync did not complete: " + e));
        }
        env.out().flush();
        env.err().flush();
    }

    /** The lock holder as {@code status} shows it (an opaque host/process id, its token and expiry). */
    static String holder(Optional<LockStatus> lock) {
        return lock.map(l -> "held by " + l.holder() + " (token " + l.token().value() + ") until " + l.expiresAt())
                .orElse("released in the meantime");
    }

    static void closeQuietly(Object o) {
        if (o instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing a client after the run; nothing to do about it
            }
        }
    }
}
