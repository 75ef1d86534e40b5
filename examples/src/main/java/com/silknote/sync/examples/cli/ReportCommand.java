package com.silknote.sync.examples.cli;

import com.silknote.sync.examples.report.ReportFormat;

import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.examples.embedded.Backends;
import com.silknote.sync.examples.embedded.OpenMode;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code vsrx-sync report}: the last run's report; {@code --show-paths} adds the paths of the files it lists. */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Prints the last run's report.")
final class ReportCommand implements Callable<Integer> {

    @ParentCommand
    VsrxSyncCommand root;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Option(names = "--show-paths", description = {"Also show the VSRX path of each skipped, vanished or conflicting",
        "file (patient data: never shown by default, never logged)."})
    boolean showPaths;

    @Override
    public Integer call() {
        CliEnvironment env = root.environment();
        try (Backends b = env.backends().open(root.settings(), OpenMode.READ_ONLY)) {
            Optional<SyncReport> last = b.documents().recentRuns(1).stream().findFirst();
            if (last.isEmpty()) {
                env.err().println("no run recorded yet");
                if (json) {
                    env.out().println("null");
                }
                return ExitCode.OK;
            }
            env.out().print(json ? ReportFormat.json(last.get(), showPaths) + "\n"
                    : ReportFormat.table(last.get(), showPaths));
            env.out().flush();
            return ExitCode.OK;
        }
    }
}
