package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.SyncConflicts;
import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditEntry;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, "every decision is audited": exports, pushes, VSRX deletes, conflicts detected, decisions by a
 * strategy and an operator's decision and release each write an audit row (run id, document, file, strategy and
 * outcome in the detail; never a path) in the unit of work of the change.
 */
class BidirectionalAuditTest {
    private final EngineFixture fx = new EngineFixture();

    private void bidirectional(ConflictStrategy strategy, boolean deletes) {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .conflictStrategy(strategy).deletes(deletes).build()));
        fx.target = fx.vsrx;
    }

    private static ContentHash sha256(String text) {
        try {
            return ContentHash.ofBytes(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private ContentHash stored(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ContentHash h = sha256(text);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(h, bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes)));
        return h;
    }

    private ContentHash userEdits(VsrxFileId f, String text) {
        ContentHash h = stored(text);
        fx.silknote.documents().silknoteUser().replaceContent(DocumentUuid.forVsrxFile(f), h,
                text.getBytes(StandardCharsets.UTF_8).length, "text/plain");
        return h;
    }

    private VsrxFileId linked(FilesetId fs, String base) {
        VsrxFileId f = fx.text(fs, "befund-vertraulich.txt", base);
        assertThat(fx.run().success()).isTrue();
        return f;
    }

    private List<AuditEntry> audit(DocumentUuid d) {
        return fx.silknote.documents().auditTrail(AuditQuery.byDocument(d), 0, 1000).stream()
                .map(AuditRecord::entry).toList();
    }

    private static RunId runOf(SyncResult r) {
        return EngineFixture.report(r).runId();
    }

    /** The single row of {@code action}, with the run, file and fileset named and no path anywhere. */
    private AuditEntry only(List<AuditEntry> rows, AuditAction action, RunId run, VsrxFileId file, FilesetId fs) {
        List<AuditEntry> of = rows.stream().filter(e -> e.action() == action).toList();
        assertThat(of).as("one %s row", action).hasSize(1);
        AuditEntry e = of.get(0);
        assertThat(e.runId()).isEqualTo(run);
        assertThat(e.fileId()).contains(file);
        assertThat(e.filesetId()).contains(fs);
        assertThat(e.detail()).hasValueSatisfying(d -> assertThat(d).doesNotContain("/", "befund", "Brief"));
        return e;
    }

    @Test
    @DisplayName("issue 14: an export (row 15) is audited EXPORTED with the run, document and created file")
    void exportIsAudited() {
        bidirectional(ConflictStrategy.REPORT, false);
        FilesetId fs = fx.linkedFileset("P-1");
        ContentHash h = stored("written in silknote");
        AuthoredDocument a = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), EngineFixture.patient("P-1"),
                Optional.of(fs), h, 19, "text/plain", Optional.of("Brief"), "SILKNOTE", "ungrouped",
                fx.clock.instant());
        fx.silknote.documents().createDocumentAsSilknoteUser(a);

        SyncResult r = fx.run();

        VsrxFile f = fx.vsrx.listedFiles(fs).get(0);
        AuditEntry e = only(audit(a.uuid()), AuditAction.EXPORTED, runOf(r), f.id(), fs);
        assertThat(e.afterHash()).contains(h);
        assertThat(e.detail()).contains("exported-to-vsrx");
    }

    @Test
    @DisplayName("issue 14: a content push (row 3) is audited PUSHED with the base and the pushed hash")
    void pushIsAudited() {
        bidirectional(ConflictStrategy.REPORT, false);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        ContentHash s = userEdits(f, "silknote edit");

        SyncResult r = fx.run();

        AuditEntry e = only(audit(DocumentUuid.forVsrxFile(f)), AuditAction.PUSHED, runOf(r), f, fs);
        assertThat(e.beforeHash()).contains(sha256("base"));
        assertThat(e.afterHash()).contains(s);
    }

    @Test
    @DisplayName("issue 14: a Silknote removal propagated to VSRX (row 7) is audited DELETED_IN_VSRX")
    void deletePropagationIsAudited() {
        bidirectional(ConflictStrategy.REPORT, true);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        fx.text(fs, "keep-1.txt", "one");
        fx.text(fs, "keep-2.txt", "two");
        assertThat(fx.run().success()).isTrue();
        fx.silknote.documents().silknoteUser().remove(DocumentUuid.forVsrxFile(f));

        SyncResult r = fx.run();

        AuditEntry e = only(audit(DocumentUuid.forVsrxFile(f)), AuditAction.DELETED_IN_VSRX, runOf(r), f, fs);
        assertThat(e.detail()).contains("deleted-in-vsrx");
        assertThat(e.beforeHash()).contains(sha256("base"));
    }

    @Test
    @DisplayName("issue 14: a conflict under REPORT is audited once as detected; an operator's decision and its application too")
    void reportedConflictAndOperatorDecisionAreAudited() {
        bidirectional(ConflictStrategy.REPORT, false);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        userEdits(f, "silknote edit");
        fx.vsrx.modifyFile(f, "vsrx edit");
        DocumentUuid d = DocumentUuid.forVsrxFile(f);

        SyncResult first = fx.run();
        fx.run(); // reported again, not detected again
        AuditEntry detected = only(audit(d), AuditAction.CONFLICT_DETECTED, runOf(first), f, fs);
        assertThat(detected.detail().orElseThrow()).contains("kind=changed-on-both-sides", "strategy=report",
                "outcome=open");

        SyncConflicts conflicts = SyncConflicts.builder().documents(fx.silknote.documents()).lock(fx.lock)
                .config(fx.config).clock(fx.clock).build();
        ConflictRecord open = conflicts.list(false, Optional.empty(), 10).items().get(0);
        conflicts.decide(open.id(), ConflictStrategy.VSRX_WINS);
        AuditEntry decided = audit(d).stream().filter(e -> e.action() == AuditAction.CONFLICT_RESOLVED)
                .findFirst().orElseThrow();
        assertThat(decided.runId().value()).startsWith("conflicts-");
        assertThat(decided.fileId()).contains(f);
        assertThat(decided.detail().orElseThrow()).contains("operator:vsrx-wins", "conflict=" + open.id().value());

        SyncResult applied = fx.run();
        AuditEntry e = only(audit(d), AuditAction.CONFLICT_DECIDED, runOf(applied), f, fs);
        assertThat(e.detail().orElseThrow()).contains("operator-vsrx-wins", "outcome=updated");
        assertThat(e.beforeHash()).as("the losing Silknote version").contains(sha256("silknote edit"));
        assertThat(e.afterHash()).as("the winning VSRX version").contains(sha256("vsrx edit"));
    }

    @Test
    @DisplayName("issue 14: a strategy's decision is audited with strategy and outcome; the operator's release too")
    void strategyDecisionAndReleaseAreAudited() {
        bidirectional(ConflictStrategy.SILKNOTE_WINS, false);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        userEdits(f, "silknote edit");
        fx.vsrx.modifyFile(f, "vsrx edit");
        DocumentUuid d = DocumentUuid.forVsrxFile(f);

        SyncResult r = fx.run();

        List<AuditEntry> rows = audit(d);
        assertThat(only(rows, AuditAction.CONFLICT_DETECTED, runOf(r), f, fs).detail().orElseThrow())
                .as("the record holding both versions commits before the VSRX write")
                .contains("strategy=silknote-wins", "outcome=decided-write-pending");
        AuditEntry e = only(rows, AuditAction.CONFLICT_DECIDED, runOf(r), f, fs);
        assertThat(e.detail().orElseThrow()).contains("conflict:silknote-wins", "outcome=updated");
        assertThat(e.beforeHash()).contains(sha256("vsrx edit"));
        assertThat(e.afterHash()).contains(sha256("silknote edit"));

        SyncConflicts conflicts = SyncConflicts.builder().documents(fx.silknote.documents()).lock(fx.lock)
                .config(fx.config).clock(fx.clock).build();
        ConflictRecord applied = conflicts.list(false, Optional.empty(), 10).items().get(0);
        conflicts.release(applied.id());
        assertThat(audit(d)).filteredOn(x -> x.action() == AuditAction.CONFLICT_RESOLVED).singleElement()
                .satisfies(x -> assertThat(x.detail().orElseThrow()).contains("released", "status=resolved"));
    }
}
