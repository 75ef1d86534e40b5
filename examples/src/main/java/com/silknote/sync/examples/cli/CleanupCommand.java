package com.silknote.sync.examples.cli;

import com.silknote.sync.core.OrphanCleanup;
import com.silknote.sync.core.model.CleanupReport;
import com.silknote.sync.core.model.CleanupRequest;
import com.silknote.sync.core.model.OperationStatus;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.examples.config.VsrxSyncSettings;
import com.silknote.sync.examples.embedded.Backends;
import com.silknote.sync.examples.embedded.OpenMode;
import com.silknote.sync.examples.report.OperationFormat;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code vsrx-sync cleanup}: the orphan cleanup (DESIGN rule 14). */
@Command(name = "cleanup", mixinStandardHelpOptions = true,
        description = {"Removes orphans no sync will reach again (DESIGN rule 14).",
            "Documents without a patient fileset record, mappings without documents, outbox rows and vectors",
            "of missing documents, unreferenced blobs (also uploads of a run that stopped before its commit),",
            "skips of files VSRX no longer lists. Nothing younger than blob-grace-period is touched. Takes the",
            "vsrx-sync lock like a sync."})
final class CleanupCommand implements Callable<Integer> {

    @ParentCommand
    VsrxSyncCommand root;

    @Option(names = "--dry-run", description = "Find and count only (counts and bytes per class); change nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--no-progress", description = "No progress display.")
    boolean noProgress;

    @Override
    public Integer call() {
        CliEnvironment env = root.environment();
        VsrxSyncSettings settings = root.settings();
        Optional<VsrxSource> source = Operations.optionalSource(env, settings,
                "skips of files VSRX no longer lists are left alone");
        try (Backends b = env.backends().open(settings, dryRun ? OpenMode.READ_ONLY : OpenMode.READ_WRITE)) {
            OrphanCleanup.Builder builder = OrphanCleanup.builder().documents(b.documents()).blobs(b.blobs())
                    .vectors(b.vectors()).lock(b.lock()).config(b.config()).clock(env.clock())
                    .listener(OperationProgress.forEnvironment(env, !noProgress && !json));
            source.ifPresent(builder::source);
            CleanupReport report = builder.build().run(new CleanupRequest(dryRun));
            Operations.print(env, json ? OperationFormat.json(report) : OperationFormat.table(report));
            if (report.status() == OperationStatus.ALREADY_IN_PROGRESS) {
                Operations.refused(env, b);
            }
            return ExitCode.of(report.status());
        } finally {
            source.ifPresent(SyncCommand::closeQuietly);
        }
    }
}
