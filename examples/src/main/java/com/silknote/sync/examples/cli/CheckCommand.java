package com.silknote.sync.examples.cli;

import com.silknote.sync.core.ConsistencyCheck;
import com.silknote.sync.core.model.CheckReport;
import com.silknote.sync.core.model.CheckRequest;
import com.silknote.sync.core.model.OperationStatus;
import com.silknote.sync.examples.embedded.Backends;
import com.silknote.sync.examples.embedded.OpenMode;
import com.silknote.sync.examples.report.OperationFormat;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code vsrx-sync check}: the consistency check; exit code 7 when it finds anything. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Checks the ledger, blob store and vector store against each other.",
            "Reports every finding by opaque id and class. Only reads. Exit code 7 when it finds anything."})
final class CheckCommand implements Callable<Integer> {

    @ParentCommand
    VsrxSyncCommand root;

    @Option(names = "--verify-content", description = "Read every blob and compare its bytes with its hash (slow).")
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
        try (Backends b = env.backends().open(root.settings(), OpenMode.READ_ONLY)) {
            ConsistencyCheck check = ConsistencyCheck.builder().documents(b.documents()).blobs(b.blobs())
                    .vectors(b.vectors()).lock(b.lock()).config(b.config()).clock(env.clock())
                    .listener(OperationProgress.forEnvironment(env, !noProgress && !json)).build();
            CheckReport report = check.check(new CheckRequest(verifyContent, stuckAfter));
            Operations.print(env, json ? OperationFormat.json(report) : OperationFormat.table(report));
            if (report.status() != OperationStatus.COMPLETED) {
                return ExitCode.of(report.status());
            }
            return report.total() > 0 ? ExitCode.FINDINGS : ExitCode.OK;
        }
    }
}
