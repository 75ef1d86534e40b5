package com.silknote.sync.examples.cli;

import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.examples.embedded.Backends;
import com.silknote.sync.examples.embedded.OpenMode;
import com.silknote.sync.examples.report.OperationFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vsrx-sync audit}: the audit log of one document, fileset or run. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Shows the audit log of one document, fileset or run.",
            "Every create, update, metadata-only update, delete, conflict, migration, cleanup and repair,",
            "append-only, oldest first. Ids and hashes only."})
final class AuditCommand implements Callable<Integer> {
    static final int MAX_LIMIT = 10_000;

    @ParentCommand
    VsrxSyncCommand root;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Selector selector;

    /** Exactly one of the three. */
    static final class Selector {
        @Option(names = "--document", paramLabel = "UUID", required = true, description = "A document's uuid.")
        String document;

        @Option(names = "--fileset", paramLabel = "ID", required = true,
                description = "A fileset (also rows that moved documents away from it).")
        String fileset;

        @Option(names = "--run", paramLabel = "ID", required = true,
                description = "A sync run, cleanup, repair or migration (the run id of its report).")
        String run;
    }

    @Option(names = "--after", paramLabel = "ID", description = "Only rows after this audit id (paging).")
    long after;

    @Option(names = "--limit", paramLabel = "N", description = "At most this many rows (default 100, at most 10000).")
    int limit = 100;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be in 1.." + MAX_LIMIT);
        }
        AuditQuery query;
        try {
            query = selector.document != null ? AuditQuery.byDocument(DocumentUuid.of(selector.document))
                    : selector.fileset != null ? AuditQuery.byFileset(FilesetId.of(selector.fileset))
                    : AuditQuery.byRun(RunId.of(selector.run));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "not a valid id: " + e.getMessage());
        }
        CliEnvironment env = root.environment();
        try (Backends b = env.backends().open(root.settings(), OpenMode.READ_ONLY)) {
            List<AuditRecord> rows = b.documents().auditTrail(query, after, limit + 1);
            boolean more = rows.size() > limit;
            List<AuditRecord> shown = more ? rows.subList(0, limit) : rows;
            Operations.print(env, json ? OperationFormat.auditJson(shown) : OperationFormat.auditTable(shown, more));
            return ExitCode.OK;
        }
    }
}
