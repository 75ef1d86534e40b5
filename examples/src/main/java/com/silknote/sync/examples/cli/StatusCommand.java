package com.silknote.sync.examples.cli;

import com.silknote.sync.examples.report.ReportFormat;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.examples.embedded.Backends;
import com.silknote.sync.examples.embedded.OpenMode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vsrx-sync status}: lock holder, last complete sync, partial state, pending processing, last run. Exits
 * with {@link ExitCode#ALREADY_IN_PROGRESS} while another run holds the lock (after printing the status), so a
 * script can tell "a run is going on" from "idle".
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows the lock holder, the last complete sync, the partial state and the last run.")
final class StatusCommand implements Callable<Integer> {
    static final int OUTBOX_PEEK = 1000;

    @ParentCommand
    VsrxSyncCommand root;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Override
    public Integer call() {
        CliEnvironment env = root.environment();
        try (Backends b = env.backends().open(root.settings(), OpenMode.READ_ONLY)) {
            Optional<LockStatus> lock = b.lock().inspect(SyncConfig.LOCK_NAME);
            SyncState state = b.documents().loadState();
            int pending = b.documents().pendingOutbox(OUTBOX_PEEK).size();
            Optional<SyncReport> last = b.documents().recentRuns(1).stream().findFirst();
            PrintWriter out = env.out();
            if (json) {
                ReportFormat.Json j = new ReportFormat.Json();
                j.open('{');
                j.field("lock").open('{');
                j.field("name").string(SyncConfig.LOCK_NAME);
                j.field("held").raw(Boolean.toString(lock.isPresent()));
                j.field("holder").optional(lock.map(LockStatus::holder));
                j.field("token").raw(lock.map(l -> Long.toString(l.token().value())).orElse("null"));
                j.field("expiresAt").optional(lock.map(l -> l.expiresAt().toString()));
                j.close('}');
                j.field("syncStatus").raw(state.toJson());
                j.field("pendingProcessing").raw(Integer.toString(pending));
                j.field("lastRun").raw(last.map(ReportFormat::json).orElse("null"));
                j.close('}');
                out.println(j);
            } else {
                out.println("Lock " + SyncConfig.LOCK_NAME + ": " + (lock.isPresent() ? SyncCommand.holder(lock) : "free"));
                out.println("Last complete sync: " + state.lastCompleteSync().map(Object::toString).orElse("never"));
                SyncState.PartialSyncState p = state.partialSyncState();
                out.println("Partial state: " + (p.isEmpty() ? "none"
                        : "processed " + p.processedFilesets().size() + ", failed " + ids(p.failedFilesets())
                        + ", resume from " + p.resumeFromFileset().map(FilesetId::value).orElse("-")));
                out.println("Pending processing: " + (pending >= OUTBOX_PEEK ? OUTBOX_PEEK + "+" : pending)
                        + " document(s)");
                out.println("Last run: " + last.map(StatusCommand::summary).orElse("none"));
                out.println("State JSON: " + state.toJson());
            }
            out.flush();
            if (lock.isPresent()) {
                env.err().println("a run is in progress: " + SyncCommand.holder(lock));
                env.err().flush();
                return ExitCode.ALREADY_IN_PROGRESS;
            }
            return ExitCode.OK;
        }
    }

    static String summary(SyncReport r) {
        return r.runId() + " finished " + r.finishedAt() + (r.dryRun() ? " (dry run)" : "") + ", " + r.status() + ": "
                + r.totals().filesetCount() + " fileset(s), " + r.totals().failedFilesets() + " failed; "
                + java.util.Arrays.stream(com.silknote.sync.core.model.FileAction.values())
                        .filter(a -> r.count(a) > 0)
                        .map(a -> a.name().toLowerCase(java.util.Locale.ROOT) + " " + r.count(a))
                        .collect(Collectors.joining(", "));
    }

    private static String ids(List<FilesetId> ids) {
        return ids.size() + (ids.isEmpty() ? "" : " " + ids.stream().map(FilesetId::value)
                .collect(Collectors.joining(",", "[", "]")));
    }
}
