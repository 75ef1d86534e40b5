package com.silknote.sync.examples.cli;

import com.silknote.sync.core.RebookingMigration;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.MigrationCandidate;
import com.silknote.sync.core.model.MigrationReport;
import com.silknote.sync.core.model.MigrationRequest;
import com.silknote.sync.core.model.OperationStatus;
import com.silknote.sync.examples.embedded.Backends;
import com.silknote.sync.examples.embedded.OpenMode;
import com.silknote.sync.examples.report.OperationFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vsrx-sync migrate}: the manual re-booking migration (DESIGN rule 13). */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Moves a re-booked patient's documents to the new fileset (DESIGN rule 13).",
            "--list shows old -> new filesets of one Silknote patient; --from OLD --to NEW moves the old",
            "fileset's documents to the new one in one transaction (dry run first). Takes the vsrx-sync lock",
            "like a sync; a second run changes nothing. Exit code 8 when the pair is refused."})
final class MigrateCommand implements Callable<Integer> {

    @ParentCommand
    VsrxSyncCommand root;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--list", description = "List the candidate pairs and the documents each old fileset holds.")
    boolean list;

    @Option(names = "--from", paramLabel = "OLD", description = "The old fileset (its documents move).")
    String from;

    @Option(names = "--to", paramLabel = "NEW", description = "The new fileset of the same Silknote patient.")
    String to;

    @Option(names = "--dry-run", description = "Say what would move; change nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (list == (from != null || to != null) || !list && (from == null || to == null)
                || !list && from.equals(to)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give either --list, or --from OLD and --to NEW (two different filesets)");
        }
        CliEnvironment env = root.environment();
        boolean writes = !list && !dryRun;
        try (Backends b = env.backends().open(root.settings(), writes ? OpenMode.READ_WRITE : OpenMode.READ_ONLY)) {
            RebookingMigration migration = RebookingMigration.builder().documents(b.documents()).lock(b.lock())
                    .config(b.config()).clock(env.clock()).build();
            if (list) {
                List<MigrationCandidate> candidates = migration.candidates();
                Operations.print(env, json ? OperationFormat.candidatesJson(candidates)
                        : OperationFormat.candidatesTable(candidates));
                return ExitCode.OK;
            }
            MigrationReport report = migration.migrate(new MigrationRequest(FilesetId.of(from), FilesetId.of(to),
                    dryRun));
            Operations.print(env, json ? OperationFormat.json(report) : OperationFormat.table(report));
            if (report.status() == OperationStatus.ALREADY_IN_PROGRESS) {
                Operations.refused(env, b);
            }
            return ExitCode.of(report.status());
        }
    }
}
