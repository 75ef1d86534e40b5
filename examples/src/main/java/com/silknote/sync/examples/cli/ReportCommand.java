package com.silknote.sync.examples.cli;

import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.RunRecord;
import com.silknote.sync.examples.embedded.Backends;
import com.silknote.sync.examples.embedded.OpenMode;
import com.silknote.sync.examples.report.ReportFormat;
import com.silknote.sync.examples.report.StoredFilesets;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vsrx-sync report}: a run's report (the last finished run, or {@code --run ID}) from the run history: its
 * summary and every fileset's report, read page by page as it is printed. {@code --show-paths} adds the paths
 * of the files it lists.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Prints the last run's report (or another run's, with --run).")
final class ReportCommand implements Callable<Integer> {

    @ParentCommand
    VsrxSyncCommand root;

    @Option(names = "--run", paramLabel = "ID", description = "The run to show (see `history`); default: the last finished run.")
    String run;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Option(names = "--show-paths", description = {"Also show the VSRX path of each skipped, vanished or conflicting",
        "file (patient data: never shown by default, never logged)."})
    boolean showPaths;

    @Override
    public Integer call() {
        CliEnvironment env = root.environment();
        try (Backends b = env.backends().open(root.settings(), OpenMode.READ_ONLY)) {
            Optional<RunRecord> record = run != null ? b.documents().findRun(RunId.of(run))
                    : b.documents().recentRuns(1).stream().findFirst()
                            .map(r -> new RunRecord(r.runId(), r.startedAt(), Optional.of(r)));
            if (record.isEmpty()) {
                env.err().println(run != null ? "no run " + run + " in the run history" : "no run recorded yet");
                if (json) {
                    env.out().println("null");
                }
                env.err().flush();
                env.out().flush();
                return run != null ? ExitCode.FAILED : ExitCode.OK;
            }
            print(env.out(), b, record.get(), json, showPaths);
            env.out().flush();
            return ExitCode.OK;
        }
    }

    /** Prints a run of the history: its summary and its fileset reports as stored. */
    static void print(PrintWriter out, Backends b, RunRecord r, boolean json, boolean showPaths) {
        StoredFilesets filesets = new StoredFilesets(b.documents(), r.runId());
        if (json) {
            if (r.report().isPresent()) {
                ReportFormat.json(r.report().get(), filesets, showPaths, out);
                out.println();
            } else {
                HistoryCommand.unfinishedJson(out, r, filesets, showPaths);
            }
        } else {
            ReportFormat.table(r.runId().value(), r.startedAt(), r.report(), filesets, showPaths, out);
        }
    }
}
