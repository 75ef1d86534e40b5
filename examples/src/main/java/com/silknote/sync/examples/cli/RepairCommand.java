package com.silknote.sync.examples.cli;

import com.silknote.sync.core.ConsistencyCheck;
import com.silknote.sync.core.model.CheckRequest;
import com.silknote.sync.core.model.OperationStatus;
import com.silknote.sync.core.model.RepairReport;
import com.silknote.sync.core.model.RepairRequest;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.examples.config.VsrxSyncSettings;
import com.silknote.sync.examples.embedded.Backends;
import com.silknote.sync.examples.embedded.OpenMode;
import com.silknote.sync.examples.report.OperationFormat;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code vsrx-sync repair}: fixes what the check finds where that is safe; exit code 7 when findings are left. */
@Command(name = "repair", mixinStandardHelpOptions = true,
        description = {"Repairs what the check finds, where that is safe.",
            "Under the vsrx-sync lock: recounts references, queues parked work again, fetches missing or",
            "damaged blobs again from VSRX, purges stray vectors; reports the rest. Exit code 7 when findings",
            "are left."})
final class RepairCommand implements Callable<Integer> {

    @ParentCommand
    VsrxSyncCommand root;

    @Option(names = "--dry-run", description = "Check and say what would be repaired; change nothing.")
    boolean dryRun;

    @Option(names = "--verify-content", description = "Also read every blob and compare its bytes with its hash.")
    boolean verifyContent;

    @Option(names = "--stuck-after", paramLabel = "DURATION", converter = Operations.DurationConverter.class,
            description = "Pending work or a DELETING row older than this is stuck (default 24h).")
    Duration stuckAfter = CheckRequest.DEFAULT_STUCK_AFTER;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--no-progress", description = "No progress display.")
    boolean noProgress;

    @Override
    public Integer call() {
        CliEnvironment env = root.environment();
        VsrxSyncSettings settings = root.settings();
        Optional<VsrxSource> source = Operations.optionalSource(env, settings,
                "missing or damaged blobs are reported, not fetched again");
        try (Backends b = env.backends().open(settings, dryRun ? OpenMode.READ_ONLY : OpenMode.READ_WRITE)) {
            ConsistencyCheck.Builder builder = ConsistencyCheck.builder().documents(b.documents()).blobs(b.blobs())
                    .vectors(b.vectors()).lock(b.lock()).config(b.config()).clock(env.clock())
                    .listener(OperationProgress.forEnvironment(env, !noProgress && !json));
            source.ifPresent(builder::source);
            RepairReport report = builder.build().repair(new RepairRequest(new CheckRequest(verifyContent, stuckAfter),
                    dryRun));
            Operations.print(env, json ? OperationFormat.json(report) : OperationFormat.table(report));
            if (report.status() == OperationStatus.ALREADY_IN_PROGRESS) {
                Operations.refused(env, b);
            }
            if (report.status() != OperationStatus.COMPLETED) {
                return ExitCode.of(report.status());
            }
            boolean left = !report.remaining().isEmpty() || dryRun && !report.repaired().isEmpty();
            return left ? ExitCode.FINDINGS : ExitCode.OK;
        } finally {
            source.ifPresent(SyncCommand::closeQuietly);
        }
    }
}
