package com.silknote.sync.examples.cli;

import com.silknote.sync.core.SyncConflicts;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.ConflictId;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.examples.embedded.Backends;
import com.silknote.sync.examples.embedded.OpenMode;
import com.silknote.sync.examples.report.ReportFormat;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vsrx-sync conflicts list|resolve}: the conflict records of bi-directional sync (docs/bidirectional.md
 * §4, §8), over {@link SyncConflicts}. Prints ids, codes, hashes and times only — never a path or a name.
 */
@Command(name = "conflicts", mixinStandardHelpOptions = true,
        description = "Lists and resolves the conflicts of bi-directional sync.",
        subcommands = {ConflictsCommand.ListCommand.class, ConflictsCommand.ResolveCommand.class})
final class ConflictsCommand implements Callable<Integer> {
    @ParentCommand
    VsrxSyncCommand root;

    @Override
    public Integer call() {
        root.environment().err().println("usage: vsrx-sync conflicts list|resolve (see --help)");
        root.environment().err().flush();
        return ExitCode.USAGE;
    }

    SyncConflicts conflicts(Backends b) {
        return SyncConflicts.builder().documents(b.documents()).lock(b.lock()).config(b.config())
                .clock(root.environment().clock()).build();
    }

    /** {@code conflicts list [--all] [--json]}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists the conflicts an operator still has to look at (--all: resolved ones too).")
    static final class ListCommand implements Callable<Integer> {
        @ParentCommand
        ConflictsCommand parent;

        @Option(names = "--all", description = "Include resolved records.")
        boolean all;

        @Option(names = "--json", description = "Print as JSON (with the hashes of both versions).")
        boolean json;

        @Override
        public Integer call() {
            CliEnvironment env = parent.root.environment();
            try (Backends b = env.backends().open(parent.root.settings(), OpenMode.READ_ONLY)) {
                SyncConflicts c = parent.conflicts(b);
                List<ConflictRecord> records = new ArrayList<>();
                Optional<String> cursor = Optional.empty();
                do {
                    Page<ConflictRecord> page = c.list(all, cursor, 500);
                    records.addAll(page.items());
                    cursor = page.nextCursor();
                } while (cursor.isPresent());
                PrintWriter out = env.out();
                if (json) {
                    ReportFormat.Json j = new ReportFormat.Json();
                    j.open('[');
                    for (ConflictRecord r : records) {
                        j.element();
                        json(j, r);
                    }
                    j.close(']');
                    out.println(j);
                } else if (records.isEmpty()) {
                    out.println(all ? "no conflicts recorded" : "no open or applied conflicts");
                } else {
                    out.println(String.format(Locale.ROOT, "%-26s %-9s %-36s %-22s %-40s %s", "ID", "STATUS",
                            "KIND", "FILESET", "DETAIL", "DETECTED"));
                    for (ConflictRecord r : records) {
                        out.println(String.format(Locale.ROOT, "%-26s %-9s %-36s %-22s %-40s %s", r.id().value(),
                                r.status().name(), r.kind().code(), r.filesetId().value(), r.detail().orElse("-"),
                                r.detectedAt()));
                    }
                }
                out.flush();
                return ExitCode.OK;
            }
        }

        static void json(ReportFormat.Json j, ConflictRecord r) {
            j.open('{');
            j.field("id").string(r.id().value());
            j.field("status").string(r.status().name());
            j.field("kind").string(r.kind().code());
            j.field("filesetId").string(r.filesetId().value());
            j.field("fileId").optional(r.fileId().map(f -> f.value()));
            j.field("document").string(r.document().value().toString());
            j.field("baseHash").optional(r.baseHash().map(ContentHash::hex));
            j.field("vsrxHash").optional(r.vsrxHash().map(ContentHash::hex));
            j.field("silknoteHash").optional(r.silknoteHash().map(ContentHash::hex));
            j.field("keptHash").optional(r.keptHash().map(ContentHash::hex));
            j.field("strategy").optional(r.strategy().map(ConflictStrategy::code));
            j.field("decision").optional(r.decision().map(ConflictStrategy::code));
            j.field("detail").optional(r.detail());
            j.field("detectedAt").string(r.detectedAt().toString());
            j.field("updatedAt").string(r.updatedAt().toString());
            j.close('}');
        }
    }

    /** {@code conflicts resolve ID (--keep vsrx|silknote|both | --release)}. */
    @Command(name = "resolve", mixinStandardHelpOptions = true,
            description = {"Decides an open conflict (--keep; the next sync of its fileset applies it) or accepts",
                "what a strategy did to an applied one (--release; the losing bytes are then collected)."})
    static final class ResolveCommand implements Callable<Integer> {
        @ParentCommand
        ConflictsCommand parent;

        @Parameters(index = "0", paramLabel = "ID", description = "The conflict's id (conflicts list).")
        String id;

        @ArgGroup(exclusive = true, multiplicity = "1")
        What what;

        static final class What {
            @Option(names = "--keep", paramLabel = "SIDE", description = "vsrx, silknote or both.")
            String keep;

            @Option(names = "--release", description = "Accept an applied conflict and release the loser's bytes.")
            boolean release;
        }

        @Override
        public Integer call() {
            CliEnvironment env = parent.root.environment();
            ConflictId cid;
            ConflictStrategy decision = null;
            try {
                cid = ConflictId.of(id);
                if (what.keep != null) {
                    decision = switch (what.keep.toLowerCase(Locale.ROOT)) {
                        case "vsrx" -> ConflictStrategy.VSRX_WINS;
                        case "silknote" -> ConflictStrategy.SILKNOTE_WINS;
                        case "both" -> ConflictStrategy.KEEP_BOTH;
                        default -> throw new IllegalArgumentException("--keep is vsrx, silknote or both");
                    };
                }
            } catch (IllegalArgumentException e) {
                env.err().println(e.getMessage());
                env.err().flush();
                return ExitCode.USAGE;
            }
            try (Backends b = env.backends().open(parent.root.settings(), OpenMode.READ_WRITE)) {
                SyncConflicts c = parent.conflicts(b);
                ConflictRecord r = decision != null ? c.decide(cid, decision) : c.release(cid);
                env.out().println(r.id().value() + " " + r.status().name() + " " + r.detail().orElse("-")
                        + (decision != null ? " (applied by the next sync of fileset " + r.filesetId().value() + ")"
                                : ""));
                env.out().flush();
                return ExitCode.OK;
            } catch (TransientSyncException e) {
                env.err().println(e.getMessage());
                env.err().flush();
                return ExitCode.ALREADY_IN_PROGRESS;
            } catch (PermanentSyncException e) {
                env.err().println(e.getMessage());
                env.err().flush();
                return ExitCode.FAILED;
            }
        }
    }
}
