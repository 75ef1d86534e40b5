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
import com.silknote.sync.core.model.ConflictStatus;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxWriteResult;
import com.silknote.sync.core.port.DocumentStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * docs/bidirectional.md §4 (conflict records hold the bytes that do not win; a record with a decision is never
 * released by the engine), §7 (Silknote-side deletes under the mass-delete guard), §5.1 and DESIGN rule 10 (a
 * push commits only on the ledger it was planned from) and issue 14 "every decision is audited": what the ledger
 * holds and what the audit log says after each of the rarer decisions — a removal that conflicts with a VSRX
 * change, a file the sync wrote that holds other bytes, the same change on both sides, a record whose sides stop
 * conflicting or that a new conflict replaces after an operator decided it.
 */
class ConflictLedgerTest {
    private final EngineFixture fx = new EngineFixture();

    private void bidirectional(boolean deletes, ConflictStrategy strategy) {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .deletes(deletes).conflictStrategy(strategy).build()));
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

    private List<VsrxFileId> linked(FilesetId fs, int n) {
        List<VsrxFileId> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(fx.text(fs, "n" + i + ".txt", "note " + i));
        }
        assertThat(fx.run().success()).isTrue();
        return out;
    }

    private List<AuditAction> audited(DocumentUuid d) {
        return fx.silknote.documents().auditTrail(AuditQuery.byDocument(d), 0, 1000).stream()
                .map(AuditRecord::entry).map(AuditEntry::action).toList();
    }

    private List<AuditEntry> audit(DocumentUuid d, AuditAction action) {
        return fx.silknote.documents().auditTrail(AuditQuery.byDocument(d), 0, 1000).stream()
                .map(AuditRecord::entry).filter(e -> e.action() == action).toList();
    }

    private long refCount(ContentHash h) {
        return fx.silknote.documents().findBlobRef(h).map(r -> (long) r.refCount()).orElse(0L);
    }

    private List<ConflictRecord> records() {
        return List.copyOf(fx.silknote.documents().allConflicts().values());
    }

    private SyncConflicts conflicts() {
        return SyncConflicts.builder().documents(fx.silknote.documents()).lock(fx.lock).config(fx.config)
                .clock(fx.clock).build();
    }

    // ---- row 8: removed in Silknote, changed in VSRX ----------------------------------------------------------

    @Test
    @DisplayName("issue 14 row 8 REPORT + audit: the conflict is audited CONFLICT_DETECTED once; the base stays referenced")
    void row8ReportIsAuditedOnce() {
        bidirectional(true, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        DocumentUuid d = DocumentUuid.forVsrxFile(f);
        fx.silknote.documents().silknoteUser().remove(d);
        fx.vsrx.modifyFile(f, "vsrx edit");

        fx.run();
        fx.run();

        assertThat(audit(d, AuditAction.CONFLICT_DETECTED)).singleElement().satisfies(e -> {
            assertThat(e.detail().orElseThrow()).contains("kind=removed-in-silknote-changed-in-vsrx", "outcome=open");
            assertThat(e.afterHash()).contains(sha256("vsrx edit"));
        });
        assertThat(fx.silknote.documents().findMapping(f)).as("nothing applied: the mapping stays").isPresent();
    }

    @Test
    @DisplayName("issue 14 row 8 VSRX_WINS + audit: the document comes back, the old base is released, the decision audited")
    void row8VsrxWinsReleasesTheBaseAndIsAudited() {
        bidirectional(true, ConflictStrategy.VSRX_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        DocumentUuid d = DocumentUuid.forVsrxFile(f);
        fx.silknote.documents().silknoteUser().remove(d);
        fx.vsrx.modifyFile(f, "vsrx edit");

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.CREATED);
        assertThat(refCount(sha256("note 0"))).as("the removed document's base is no one's content now").isZero();
        assertThat(refCount(sha256("vsrx edit"))).isEqualTo(1);
        assertThat(records()).singleElement().satisfies(rec -> {
            assertThat(rec.status()).as("decided by the strategy: listed until an operator releases it")
                    .isEqualTo(ConflictStatus.APPLIED);
            assertThat(rec.strategy()).as("the record names the strategy that decided").contains(
                    ConflictStrategy.VSRX_WINS);
        });
        assertThat(audit(d, AuditAction.CONFLICT_DECIDED)).singleElement().satisfies(e -> assertThat(
                e.detail().orElseThrow()).contains("conflict:vsrx-wins", "outcome=created"));
        assertThat(fx.silknote.vectors().entries(d)).as("the restored document is processed in the same run")
                .isNotEmpty().allMatch(v -> v.contentHash().equals(sha256("vsrx edit")));
    }

    @Test
    @DisplayName("issue 14 row 8 SILKNOTE_WINS + audit: detected with the decision before the delete, then decided and deleted")
    void row8SilknoteWinsIsAuditedBeforeAndAfterTheDelete() {
        bidirectional(true, ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        DocumentUuid d = DocumentUuid.forVsrxFile(f);
        fx.silknote.documents().silknoteUser().remove(d);
        fx.vsrx.modifyFile(f, "vsrx edit");

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.DELETED);
        assertThat(audited(d)).containsSubsequence(AuditAction.CONFLICT_DETECTED, AuditAction.CONFLICT_DECIDED,
                AuditAction.DELETED_IN_VSRX);
        assertThat(audit(d, AuditAction.CONFLICT_DETECTED).get(0).detail().orElseThrow())
                .contains("strategy=silknote-wins", "outcome=decided-write-pending");
        assertThat(audit(d, AuditAction.CONFLICT_DECIDED).get(0).detail().orElseThrow())
                .contains("conflict:silknote-wins", "outcome=deleted");
        assertThat(refCount(sha256("note 0"))).as("the base of the removed document is released").isZero();
        assertThat(refCount(sha256("vsrx edit"))).as("the VSRX version is held by the applied record").isEqualTo(1);
        assertThat(records()).singleElement().satisfies(rec -> {
            assertThat(rec.status()).isEqualTo(ConflictStatus.APPLIED);
            assertThat(rec.strategy()).contains(ConflictStrategy.SILKNOTE_WINS);
            assertThat(rec.keptHash()).contains(sha256("vsrx edit"));
        });
    }

    @Test
    @DisplayName("issue 14 §7 / DESIGN mass-delete guard: row 8 under REPORT deletes nothing in VSRX, so it is not counted")
    void row8UnderReportIsNotCountedByTheGuard() {
        bidirectional(true, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        List<VsrxFileId> files = linked(fs, 5);
        for (VsrxFileId f : files.subList(0, 3)) {
            fx.silknote.documents().silknoteUser().remove(DocumentUuid.forVsrxFile(f));
            fx.vsrx.modifyFile(f, "vsrx edit of " + f.value());
        }

        SyncResult r = fx.run();

        assertThat(EngineFixture.fileset(r, fs).outcome()).isNotEqualTo(FilesetOutcome.MASS_DELETE_BLOCKED);
        assertThat(files.subList(0, 3)).allSatisfy(f -> assertThat(EngineFixture.action(r, f))
                .isEqualTo(FileAction.CONFLICT));
    }

    @Test
    @DisplayName("issue 14 §7 / DESIGN mass-delete guard: row 8 under SILKNOTE_WINS marks files deleted, so it is counted")
    void row8UnderSilknoteWinsIsCountedByTheGuard() {
        bidirectional(true, ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        List<VsrxFileId> files = linked(fs, 5);
        for (VsrxFileId f : files.subList(0, 3)) {
            fx.silknote.documents().silknoteUser().remove(DocumentUuid.forVsrxFile(f));
            fx.vsrx.modifyFile(f, "vsrx edit of " + f.value());
        }

        SyncResult r = fx.run();

        assertThat(EngineFixture.fileset(r, fs).outcome()).isEqualTo(FilesetOutcome.MASS_DELETE_BLOCKED);
        assertThat(files).noneMatch(f -> fx.vsrx.findFile(f).orElseThrow().deleted());
    }

    // ---- row 11 with different bytes ----------------------------------------------------------------------

    /** A Silknote-created document and a file the sync wrote for it that holds other bytes. */
    private AuthoredDocument unlinkedWithOtherBytes(FilesetId fs, VsrxFileId[] file) {
        ContentHash s = stored("silknote version");
        AuthoredDocument a = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), EngineFixture.patient("P-1"),
                Optional.of(fs), s, "silknote version".length(), "text/plain", Optional.of("Brief"), "SILKNOTE",
                "ungrouped", fx.clock.instant());
        fx.silknote.documents().createDocumentAsSilknoteUser(a);
        byte[] v = "vsrx version".getBytes(StandardCharsets.UTF_8);
        file[0] = fx.vsrx.createFile(FencingToken.of(1), IdempotencyKey.create(a.uuid()),
                new NewVsrxFile(fs, "notes/silknote/Brief-" + a.uuid().value().toString().substring(0, 8) + ".txt",
                        "text/plain", a.uuid()),
                new BlobUpload(sha256("vsrx version"), v.length, "text/plain", () -> new ByteArrayInputStream(v)))
                .file().id();
        return a;
    }

    @Test
    @DisplayName("issue 14 row 11 + audit: REPORT audits the conflict once; VSRX_WINS and SILKNOTE_WINS audit the decision")
    void row11DecisionsAreAudited() {
        bidirectional(false, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument reported = unlinkedWithOtherBytes(fs, f);
        fx.run();
        fx.run();
        assertThat(audit(reported.uuid(), AuditAction.CONFLICT_DETECTED)).singleElement().satisfies(e -> assertThat(
                e.detail().orElseThrow()).contains("kind=linked-with-different-content", "outcome=open"));

        ConflictLedgerTest vsrxWins = new ConflictLedgerTest();
        vsrxWins.bidirectional(false, ConflictStrategy.VSRX_WINS);
        FilesetId fs2 = vsrxWins.fx.linkedFileset("P-1");
        AuthoredDocument a2 = vsrxWins.unlinkedWithOtherBytes(fs2, f);
        vsrxWins.fx.run();
        assertThat(vsrxWins.audit(a2.uuid(), AuditAction.CONFLICT_DECIDED)).singleElement().satisfies(e -> {
            assertThat(e.detail().orElseThrow()).contains("conflict:vsrx-wins", "outcome=updated");
            assertThat(e.beforeHash()).as("the losing Silknote version").contains(sha256("silknote version"));
        });
        assertThat(vsrxWins.fx.silknote.vectors().entries(a2.uuid())).as("the linked document is processed")
                .isNotEmpty().allMatch(v -> v.contentHash().equals(sha256("vsrx version")));

        ConflictLedgerTest silknoteWins = new ConflictLedgerTest();
        silknoteWins.bidirectional(false, ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs3 = silknoteWins.fx.linkedFileset("P-1");
        AuthoredDocument a3 = silknoteWins.unlinkedWithOtherBytes(fs3, f);
        silknoteWins.fx.run();
        assertThat(silknoteWins.audited(a3.uuid())).containsSubsequence(AuditAction.CONFLICT_DETECTED,
                AuditAction.CONFLICT_DECIDED);
        assertThat(silknoteWins.audit(a3.uuid(), AuditAction.CONFLICT_DECIDED).get(0).detail().orElseThrow())
                .contains("conflict:silknote-wins");
        assertThat(silknoteWins.refCount(sha256("vsrx version"))).as("the overwritten VSRX version is held")
                .isEqualTo(1);
    }

    // ---- row 4b and records whose sides stop conflicting --------------------------------------------------

    @Test
    @DisplayName("issue 14 row 4b + audit: the same change on both sides is audited METADATA_ONLY same-change-on-both-sides")
    void convergeIsAudited() {
        bidirectional(false, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        userEdits(f, "same edit");
        fx.vsrx.modifyFile(f, "same edit");

        fx.run();

        assertThat(audit(DocumentUuid.forVsrxFile(f), AuditAction.METADATA_ONLY)).singleElement().satisfies(e -> {
            assertThat(e.detail()).contains("same-change-on-both-sides");
            assertThat(e.afterHash()).contains(sha256("same edit"));
        });
        assertThat(refCount(sha256("note 0"))).as("the old base is released").isZero();
    }

    @Test
    @DisplayName("issue 14 §4 row 3: VSRX reverted its side of an open conflict; the Silknote edit is pushed, the record resolved")
    void vsrxRevertOfAnOpenConflictPushesAndResolves() {
        bidirectional(false, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        ContentHash s = userEdits(f, "silknote edit");
        fx.vsrx.modifyFile(f, "vsrx edit");
        fx.run();
        assertThat(records()).singleElement().extracting(ConflictRecord::status).isEqualTo(ConflictStatus.OPEN);

        fx.vsrx.modifyFile(f, "note 0"); // the VSRX user puts the base back: a metadata-only change for the sync
        SyncResult r = fx.run();

        assertThat(EngineFixture.file(r, f).detail()).contains("pushed-to-vsrx");
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(s);
        assertThat(records()).singleElement().satisfies(rec -> {
            assertThat(rec.status()).isEqualTo(ConflictStatus.RESOLVED);
            assertThat(rec.detail()).contains("superseded");
        });
        assertThat(refCount(sha256("vsrx edit"))).as("no decision: the record's VSRX version is released").isZero();
    }

    @Test
    @DisplayName("issue 14 §4: a decided record whose sides stop conflicting is APPLIED superseded and keeps the VSRX version")
    void decidedRecordWhoseSidesConvergeKeepsTheVsrxVersion() {
        bidirectional(false, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        DocumentUuid d = DocumentUuid.forVsrxFile(f);
        ContentHash s = userEdits(f, "silknote edit");
        fx.vsrx.modifyFile(f, "vsrx edit");
        fx.run();
        ConflictRecord open = records().get(0);
        conflicts().decide(open.id(), ConflictStrategy.SILKNOTE_WINS);
        // before the decision is applied, the Silknote user puts the base back: no conflict any more
        fx.silknote.documents().silknoteUser().replaceContent(d, sha256("note 0"), "note 0".length(), "text/plain");

        fx.run();

        ConflictRecord after = fx.silknote.documents().allConflicts().get(open.id());
        assertThat(after.status()).as("bytes a decision was about are released only by an operator")
                .isEqualTo(ConflictStatus.APPLIED);
        assertThat(after.keptHash()).contains(sha256("vsrx edit"));
        assertThat(after.detail()).contains("superseded");
        assertThat(refCount(sha256("vsrx edit"))).isGreaterThanOrEqualTo(1);
        assertThat(refCount(s)).as("the Silknote edit no one holds any more is released").isZero();
        assertThat(audit(d, AuditAction.CONFLICT_RESOLVED)).anySatisfy(e -> assertThat(e.detail().orElseThrow())
                .contains("superseded", "status=applied", open.id().value()));
    }

    @Test
    @DisplayName("issue 14 §4: a decided record a new conflict of the same file replaces is APPLIED and keeps its VSRX version")
    void decidedRecordReplacedByANewConflictKeepsTheVsrxVersion() {
        bidirectional(false, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        DocumentUuid d = DocumentUuid.forVsrxFile(f);
        ContentHash s1 = userEdits(f, "silknote edit 1");
        fx.vsrx.modifyFile(f, "vsrx edit 1");
        fx.run();
        ConflictRecord first = records().get(0);
        conflicts().decide(first.id(), ConflictStrategy.VSRX_WINS);
        userEdits(f, "silknote edit 2");
        fx.vsrx.modifyFile(f, "vsrx edit 2");

        fx.run();

        ConflictRecord old = fx.silknote.documents().allConflicts().get(first.id());
        assertThat(old.status()).isEqualTo(ConflictStatus.APPLIED);
        assertThat(old.keptHash()).contains(sha256("vsrx edit 1"));
        assertThat(refCount(sha256("vsrx edit 1"))).as("the first VSRX version is still held").isEqualTo(1);
        assertThat(refCount(s1)).as("the first Silknote version, held by nothing now, is released").isZero();
        assertThat(records()).filteredOn(r -> r.status() == ConflictStatus.OPEN).singleElement()
                .satisfies(r -> assertThat(r.heldHashes()).containsExactlyInAnyOrder(sha256("vsrx edit 2"),
                        sha256("silknote edit 2")));
        assertThat(audit(d, AuditAction.CONFLICT_RESOLVED)).anySatisfy(e -> assertThat(e.detail().orElseThrow())
                .contains("superseded", first.id().value()));
    }

    // ---- row 3: the push commits only on the ledger it was planned from -------------------------------------

    @Test
    @DisplayName("issue 14 §5.1 / DESIGN rule 10: a user edit between the push and its commit refuses the commit; "
            + "the next run finds VSRX holding edit 1 and the document edit 2, and reports it holding both")
    void editBetweenPushAndCommitRefusesTheCommit() {
        bidirectional(false, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        userEdits(f, "silknote edit 1");
        AtomicBoolean written = new AtomicBoolean();
        fx.target = new BidirectionalScenarioTest.ForwardingTarget(fx.vsrx) {
            @Override
            public VsrxWriteResult replaceContent(FencingToken t, IdempotencyKey k, VsrxFileId id, String etag,
                    BlobUpload c) {
                VsrxWriteResult r = super.replaceContent(t, k, id, etag, c);
                written.set(true);
                return r;
            }
        };
        DocumentStore real = fx.documents;
        AtomicBoolean edited = new AtomicBoolean();
        fx.documents = new DelegatingDocumentStore(real) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
                if (written.get() && edited.compareAndSet(false, true)) {
                    userEdits(f, "silknote edit 2");
                }
                return super.inUnitOfWork(token, work);
            }
        };

        SyncResult first = fx.run();
        assertThat(edited).isTrue();
        assertThat(first.success()).as("the commit planned from edit 1 is refused").isFalse();
        assertThat(fx.silknote.documents().findMapping(f).orElseThrow().contentHash())
                .as("the mapping did not move to a version the document no longer holds").isEqualTo(sha256("note 0"));

        fx.documents = real;
        fx.target = fx.vsrx;
        SyncResult second = fx.run();
        assertThat(EngineFixture.action(second, f)).isEqualTo(FileAction.CONFLICT);
        assertThat(records()).singleElement().satisfies(rec -> assertThat(rec.heldHashes())
                .containsExactlyInAnyOrder(sha256("silknote edit 1"), sha256("silknote edit 2")));
        assertThat(fx.vsrx.contentHash(f)).as("nothing pushed over it unasked").isEqualTo(sha256("silknote edit 1"));
    }

    /**
     * A document store that lets a Silknote user edit {@code a} just before the first unit of work after
     * {@code armed}; {@code armOnRead} arms it when the engine reads the Silknote-created document (row 11's plan).
     */
    private DocumentStore editingBeforeNextCommit(DocumentStore real, AtomicBoolean armed, boolean armOnRead,
            AuthoredDocument a, String text, AtomicBoolean edited) {
        return new DelegatingDocumentStore(real) {
            @Override
            public java.util.Map<DocumentUuid, AuthoredDocument> findAuthoredDocuments(
                    java.util.Collection<DocumentUuid> uuids) {
                if (armOnRead && uuids.contains(a.uuid())) {
                    armed.set(true);
                }
                return super.findAuthoredDocuments(uuids);
            }

            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
                if (armed.get() && edited.compareAndSet(false, true)) {
                    ContentHash h = stored(text);
                    fx.silknote.documents().replaceContentAsSilknoteUser(a.uuid(), h,
                            text.getBytes(StandardCharsets.UTF_8).length, "text/plain");
                }
                return super.inUnitOfWork(token, work);
            }
        };
    }

    @Test
    @DisplayName("issue 14 row 11 VSRX_WINS / DESIGN rule 10: a user edit of the unlinked document before the commit "
            + "refuses it; the edit is never overwritten by the VSRX version")
    void row11VsrxWinsEditBeforeTheCommitIsNotOverwritten() {
        bidirectional(false, ConflictStrategy.VSRX_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument a = unlinkedWithOtherBytes(fs, f);
        DocumentStore real = fx.documents;
        AtomicBoolean armed = new AtomicBoolean();
        AtomicBoolean edited = new AtomicBoolean();
        fx.documents = editingBeforeNextCommit(real, armed, true, a, "silknote edit 2", edited);

        SyncResult first = fx.run();

        assertThat(edited).isTrue();
        assertThat(first.success()).as("the commit planned from the first version is refused").isFalse();
        assertThat(fx.silknote.documents().allAuthoredDocuments().get(a.uuid()).contentHash())
                .as("the user's edit is the document's content still").isEqualTo(sha256("silknote edit 2"));
        assertThat(fx.silknote.documents().findDocument(a.uuid())).as("not linked with the VSRX version").isEmpty();

        fx.documents = real;
        SyncResult second = fx.run();
        assertThat(second.success()).isTrue();
        assertThat(refCount(sha256("silknote edit 2"))).as("the edit, losing to VSRX, is held by the record")
                .isEqualTo(1);
    }

    @Test
    @DisplayName("issue 14 row 11 SILKNOTE_WINS / DESIGN rule 10: a user edit after the VSRX write and before the link "
            + "refuses the link; the edit is never replaced by the version written")
    void row11SilknoteWinsEditBeforeTheLinkIsNotOverwritten() {
        bidirectional(false, ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument a = unlinkedWithOtherBytes(fs, f);
        AtomicBoolean written = new AtomicBoolean();
        fx.target = new BidirectionalScenarioTest.ForwardingTarget(fx.vsrx) {
            @Override
            public VsrxWriteResult replaceContent(FencingToken t, IdempotencyKey k, VsrxFileId id, String etag,
                    BlobUpload c) {
                VsrxWriteResult r = super.replaceContent(t, k, id, etag, c);
                written.set(true);
                return r;
            }
        };
        DocumentStore real = fx.documents;
        AtomicBoolean edited = new AtomicBoolean();
        fx.documents = editingBeforeNextCommit(real, written, false, a, "silknote edit 2", edited);

        SyncResult first = fx.run();

        assertThat(edited).isTrue();
        assertThat(first.success()).as("the link planned from the first version is refused").isFalse();
        assertThat(fx.silknote.documents().allAuthoredDocuments().get(a.uuid()).contentHash())
                .isEqualTo(sha256("silknote edit 2"));
        assertThat(refCount(sha256("vsrx version"))).as("the overwritten VSRX version is still held").isEqualTo(1);
        assertThat(records()).singleElement().satisfies(rec -> assertThat(rec.status())
                .isEqualTo(ConflictStatus.OPEN));
    }

    // ---- rows 4c and 6, VSRX wins: what the document held before is released and its vectors follow ---------

    @Test
    @DisplayName("issue 14 row 6 VSRX_WINS / DESIGN rule 12: the deleted document's base is released and its vectors purged")
    void row6VsrxWinsPurgesTheDeletedDocumentsVectors() {
        bidirectional(false, ConflictStrategy.VSRX_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        DocumentUuid d = DocumentUuid.forVsrxFile(f);
        assertThat(fx.silknote.vectors().entries(d)).isNotEmpty();
        ContentHash s = userEdits(f, "silknote edit");
        fx.vsrx.deleteFile(f);

        fx.run();

        assertThat(fx.silknote.documents().findDocument(d)).isEmpty();
        assertThat(fx.silknote.vectors().entries(d)).as("no vectors of a deleted document stay searchable").isEmpty();
        assertThat(refCount(sha256("note 0"))).as("the base is no one's content now").isZero();
        assertThat(refCount(s)).as("the losing Silknote edit is held by the record").isEqualTo(1);
    }

    @Test
    @DisplayName("issue 14 row 4c VSRX_WINS: the base is released, the document re-processed with the VSRX version")
    void row4cVsrxWinsReleasesTheBaseAndReprocesses() {
        bidirectional(false, ConflictStrategy.VSRX_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        DocumentUuid d = DocumentUuid.forVsrxFile(f);
        ContentHash s = userEdits(f, "silknote edit");
        fx.vsrx.modifyFile(f, "vsrx edit");

        fx.run();

        assertThat(refCount(sha256("note 0"))).isZero();
        assertThat(refCount(s)).isEqualTo(1);
        assertThat(refCount(sha256("vsrx edit"))).isEqualTo(1);
        assertThat(fx.silknote.vectors().entries(d)).isNotEmpty()
                .allMatch(v -> v.contentHash().equals(sha256("vsrx edit")));
    }

    @Test
    @DisplayName("issue 14 §4/§5.3 SILKNOTE_WINS crash after the write: the next run applies the record with exact "
            + "references (the VSRX version once, by the record) and audits the decision")
    void silknoteWinsAppliedAfterACrashHoldsExactReferences() {
        bidirectional(false, ConflictStrategy.SILKNOTE_WINS);
        // No collection within the run: the store's guard (a held blob is never marked, its count is repaired)
        // would otherwise mend a wrong count before the assertions see it (rule 12's net, not the engine's count).
        fx.config(c -> c.blobGracePeriod(java.time.Duration.ofDays(1)));
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        DocumentUuid d = DocumentUuid.forVsrxFile(f);
        fx.vsrx.modifyFile(f, "vsrx edit");
        ContentHash s = userEdits(f, "silknote edit");
        AtomicBoolean written = new AtomicBoolean();
        fx.target = new BidirectionalScenarioTest.ForwardingTarget(fx.vsrx) {
            @Override
            public VsrxWriteResult replaceContent(FencingToken t, IdempotencyKey k, VsrxFileId id, String etag,
                    BlobUpload c) {
                VsrxWriteResult r = super.replaceContent(t, k, id, etag, c);
                written.set(true);
                return r;
            }
        };
        DocumentStore real = fx.documents;
        AtomicBoolean crashed = fx.crashBeforeTheNextCommitOnce(written::get);
        assertThat(fx.run().success()).isFalse();
        fx.documents = real;
        fx.target = fx.vsrx;

        SyncResult second = fx.run();

        assertThat(second.success()).isTrue();
        assertThat(refCount(sha256("vsrx edit"))).as("the overwritten VSRX version, held once by the record")
                .isEqualTo(1);
        assertThat(refCount(s)).as("the Silknote edit, once, by the mapping").isEqualTo(1);
        assertThat(refCount(sha256("note 0"))).isZero();
        assertThat(audit(d, AuditAction.CONFLICT_DECIDED)).singleElement().satisfies(e -> assertThat(
                e.detail().orElseThrow()).contains("conflict:silknote-wins", "outcome=updated"));
    }

    // ---- decisions found again by the next run; exact reference counts of operators' decisions ---------------

    /** VSRX refuses the next content write or delete once (after the run committed its Silknote-wins intent). */
    private AtomicBoolean vsrxWriteFailsOnce() {
        AtomicBoolean failed = new AtomicBoolean();
        fx.target = new BidirectionalScenarioTest.ForwardingTarget(fx.vsrx) {
            @Override
            public VsrxWriteResult replaceContent(FencingToken t, IdempotencyKey k, VsrxFileId id, String etag,
                    BlobUpload c) {
                if (failed.compareAndSet(false, true)) {
                    throw new IllegalStateException("VSRX refused the write once");
                }
                return super.replaceContent(t, k, id, etag, c);
            }

            @Override
            public VsrxWriteResult markDeleted(FencingToken t, IdempotencyKey k, VsrxFileId id, String etag) {
                if (failed.compareAndSet(false, true)) {
                    throw new IllegalStateException("VSRX refused the write once");
                }
                return super.markDeleted(t, k, id, etag);
            }
        };
        return failed;
    }

    /** The strategy's decision the first run recorded is applied by the next run as the strategy's, not an operator's. */
    private void assertAppliedAsTheStrategys(SyncResult second, VsrxFileId f, FileAction action, ContentHash kept) {
        assertThat(EngineFixture.action(second, f)).isEqualTo(action);
        assertThat(EngineFixture.file(second, f).detail()).contains("conflict:silknote-wins");
        assertThat(records()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(ConflictStatus.APPLIED);
            assertThat(r.keptHash()).contains(kept);
            assertThat(r.detail()).contains("conflict:silknote-wins");
            assertThat(r.strategy()).contains(ConflictStrategy.SILKNOTE_WINS);
        });
        assertThat(refCount(kept)).as("the overwritten VSRX version, held by the record").isEqualTo(1);
    }

    @Test
    @DisplayName("issue 14 §4 row 4c SILKNOTE_WINS: the VSRX write fails after the intent committed; the next run "
            + "applies the strategy's decision (APPLIED, the VSRX version kept), not an operator's")
    void silknoteWinsIntentFoundAgainStaysTheStrategys() {
        bidirectional(false, ConflictStrategy.SILKNOTE_WINS);
        fx.config(c -> c.blobGracePeriod(java.time.Duration.ofDays(1)));
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        fx.vsrx.modifyFile(f, "vsrx edit");
        userEdits(f, "silknote edit");
        AtomicBoolean failed = vsrxWriteFailsOnce();
        assertThat(EngineFixture.action(fx.run(), f)).isEqualTo(FileAction.FAILED);
        assertThat(failed).isTrue();
        assertThat(records()).singleElement().satisfies(r -> assertThat(r.decision()).isPresent());

        SyncResult second = fx.run();

        assertAppliedAsTheStrategys(second, f, FileAction.UPDATED, sha256("vsrx edit"));
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(sha256("silknote edit"));
    }

    @Test
    @DisplayName("issue 14 §4 row 8 SILKNOTE_WINS: the VSRX delete fails after the intent committed; the next run "
            + "applies the strategy's decision (APPLIED, the VSRX version kept), not an operator's")
    void removedSilknoteWinsIntentFoundAgainStaysTheStrategys() {
        bidirectional(true, ConflictStrategy.SILKNOTE_WINS);
        fx.config(c -> c.blobGracePeriod(java.time.Duration.ofDays(1)));
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        fx.silknote.documents().silknoteUser().remove(DocumentUuid.forVsrxFile(f));
        fx.vsrx.modifyFile(f, "vsrx edit");
        AtomicBoolean failed = vsrxWriteFailsOnce();
        assertThat(EngineFixture.action(fx.run(), f)).isEqualTo(FileAction.FAILED);
        assertThat(failed).isTrue();

        SyncResult second = fx.run();

        assertAppliedAsTheStrategys(second, f, FileAction.DELETED, sha256("vsrx edit"));
        assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).isTrue();
    }

    @Test
    @DisplayName("issue 14 §4 row 11 SILKNOTE_WINS: the VSRX write fails after the intent committed; the next run "
            + "applies the strategy's decision (APPLIED, the VSRX version kept), not an operator's")
    void row11SilknoteWinsIntentFoundAgainStaysTheStrategys() {
        bidirectional(false, ConflictStrategy.SILKNOTE_WINS);
        fx.config(c -> c.blobGracePeriod(java.time.Duration.ofDays(1)));
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument a = unlinkedWithOtherBytes(fs, f);
        AtomicBoolean failed = vsrxWriteFailsOnce();
        assertThat(EngineFixture.action(fx.run(), f[0])).isEqualTo(FileAction.FAILED);
        assertThat(failed).isTrue();

        SyncResult second = fx.run();

        assertAppliedAsTheStrategys(second, f[0], FileAction.UPDATED, sha256("vsrx version"));
        assertThat(fx.silknote.documents().findDocument(a.uuid()).orElseThrow().clientFileId()).isEqualTo(f[0]);
    }

    /** Row 4c reported; then an operator decides; the collector is held off, so the counts are the engine's own. */
    private VsrxFileId reportedThenDecided(ConflictStrategy decision) {
        bidirectional(false, ConflictStrategy.REPORT);
        fx.config(c -> c.blobGracePeriod(java.time.Duration.ofDays(1)));
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        fx.vsrx.modifyFile(f, "vsrx edit");
        userEdits(f, "silknote edit");
        fx.run();
        conflicts().decide(records().get(0).id(), decision);
        return f;
    }

    @Test
    @DisplayName("issue 14 §4 row 4c: SILKNOTE_WINS by the strategy: the record holds the VSRX version once, the "
            + "mapping the Silknote one once")
    void silknoteWinsHoldsExactReferences() {
        bidirectional(false, ConflictStrategy.SILKNOTE_WINS);
        fx.config(c -> c.blobGracePeriod(java.time.Duration.ofDays(1)));
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        fx.vsrx.modifyFile(f, "vsrx edit");
        ContentHash s = userEdits(f, "silknote edit");

        assertThat(EngineFixture.action(fx.run(), f)).isEqualTo(FileAction.UPDATED);

        assertThat(refCount(sha256("vsrx edit"))).as("held by the applied record").isEqualTo(1);
        assertThat(refCount(s)).as("the mapping's").isEqualTo(1);
        assertThat(refCount(sha256("note 0"))).isZero();
    }

    @Test
    @DisplayName("issue 14 §4 row 4c: an operator's SILKNOTE_WINS: resolved, nothing kept; the VSRX version has no "
            + "reference left, the Silknote one the mapping's")
    void operatorSilknoteWinsHoldsExactReferences() {
        VsrxFileId f = reportedThenDecided(ConflictStrategy.SILKNOTE_WINS);

        SyncResult r = fx.run();

        assertThat(EngineFixture.file(r, f).detail()).contains("conflict:operator-silknote-wins");
        assertThat(records()).singleElement().satisfies(x -> assertThat(x.status()).isEqualTo(ConflictStatus.RESOLVED));
        assertThat(refCount(sha256("vsrx edit"))).isZero();
        assertThat(refCount(sha256("silknote edit"))).as("the mapping's").isEqualTo(1);
        assertThat(audit(DocumentUuid.forVsrxFile(f), AuditAction.CONFLICT_DETECTED))
                .as("detected once (the report); the operator's decision needs no second intent").hasSize(1);
    }

    @Test
    @DisplayName("issue 14 §4 row 4c: an operator's VSRX_WINS: resolved, nothing kept; the Silknote version has no "
            + "reference left, the VSRX one the mapping's")
    void operatorVsrxWinsHoldsExactReferences() {
        VsrxFileId f = reportedThenDecided(ConflictStrategy.VSRX_WINS);

        SyncResult r = fx.run();

        assertThat(EngineFixture.file(r, f).detail()).contains("conflict:operator-vsrx-wins");
        assertThat(records()).singleElement().satisfies(x -> assertThat(x.status()).isEqualTo(ConflictStatus.RESOLVED));
        assertThat(audit(DocumentUuid.forVsrxFile(f), AuditAction.CONFLICT_RESOLVED)).as("not closed as superseded")
                .noneSatisfy(e -> assertThat(e.detail().orElseThrow()).contains("superseded"));
        assertThat(refCount(sha256("silknote edit"))).isZero();
        assertThat(refCount(sha256("vsrx edit"))).as("the mapping's").isEqualTo(1);
    }

    @Test
    @DisplayName("issue 14 §4 row 11: an operator's SILKNOTE_WINS: resolved, nothing kept; the VSRX version has no "
            + "reference left, the Silknote one the mapping's")
    void row11OperatorSilknoteWinsHoldsExactReferences() {
        bidirectional(false, ConflictStrategy.REPORT);
        fx.config(c -> c.blobGracePeriod(java.time.Duration.ofDays(1)));
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument a = unlinkedWithOtherBytes(fs, f);
        fx.run();
        conflicts().decide(records().get(0).id(), ConflictStrategy.SILKNOTE_WINS);

        SyncResult r = fx.run();

        assertThat(EngineFixture.file(r, f[0]).detail()).contains("conflict:operator-silknote-wins");
        assertThat(fx.silknote.documents().findDocument(a.uuid())).isPresent();
        assertThat(records()).singleElement().satisfies(x -> assertThat(x.status()).isEqualTo(ConflictStatus.RESOLVED));
        assertThat(refCount(sha256("vsrx version"))).isZero();
        assertThat(refCount(sha256("silknote version"))).as("the mapping's").isEqualTo(1);
    }

    @Test
    @DisplayName("issue 14 §4: an operator's SILKNOTE_WINS written to VSRX whose commit was lost: the next run "
            + "converges, reports it as the operator's and keeps nothing")
    void operatorSilknoteWinsAppliedAfterACrashKeepsNothing() {
        VsrxFileId f = reportedThenDecided(ConflictStrategy.SILKNOTE_WINS);
        AtomicBoolean written = new AtomicBoolean();
        fx.target = new BidirectionalScenarioTest.ForwardingTarget(fx.vsrx) {
            @Override
            public VsrxWriteResult replaceContent(FencingToken t, IdempotencyKey k, VsrxFileId id, String etag,
                    BlobUpload c) {
                VsrxWriteResult r = super.replaceContent(t, k, id, etag, c);
                written.set(true);
                return r;
            }
        };
        DocumentStore real = fx.documents;
        AtomicBoolean crashed = fx.crashBeforeTheNextCommitOnce(written::get);
        assertThat(fx.run().success()).isFalse();
        assertThat(crashed).isTrue();
        fx.documents = real;
        fx.target = fx.vsrx;

        SyncResult second = fx.run();

        assertThat(EngineFixture.action(second, f)).isEqualTo(FileAction.UPDATED);
        assertThat(EngineFixture.file(second, f).detail()).contains("conflict:operator-silknote-wins");
        assertThat(records()).singleElement().satisfies(x -> assertThat(x.status()).isEqualTo(ConflictStatus.RESOLVED));
        assertThat(refCount(sha256("vsrx edit"))).as("an operator's decision keeps nothing").isZero();
        assertThat(refCount(sha256("silknote edit"))).as("the mapping's").isEqualTo(1);
    }

    /** Row 11 with the Silknote-created document last changed {@code skew} after the file's modification. */
    private AuthoredDocument unlinkedWithOtherBytesAt(FilesetId fs, VsrxFileId[] file, java.time.Duration skew) {
        byte[] v = "vsrx version".getBytes(StandardCharsets.UTF_8);
        ContentHash s = stored("silknote version");
        DocumentUuid uuid = new DocumentUuid(UUID.randomUUID());
        file[0] = fx.vsrx.createFile(FencingToken.of(1), IdempotencyKey.create(uuid),
                new NewVsrxFile(fs, "notes/silknote/Brief-" + uuid.value().toString().substring(0, 8) + ".txt",
                        "text/plain", uuid),
                new BlobUpload(sha256("vsrx version"), v.length, "text/plain", () -> new ByteArrayInputStream(v)))
                .file().id();
        AuthoredDocument a = new AuthoredDocument(uuid, EngineFixture.patient("P-1"), Optional.of(fs), s,
                "silknote version".length(), "text/plain", Optional.of("Brief"), "SILKNOTE", "ungrouped",
                fx.vsrx.findFile(file[0]).orElseThrow().modifiedAt().plus(skew));
        fx.silknote.documents().createDocumentAsSilknoteUser(a);
        return a;
    }

    private List<FileAction> actions(SyncResult r, VsrxFileId f) {
        return EngineFixture.report(r).filesets().stream().flatMap(x -> x.files().stream())
                .filter(x -> x.fileId().equals(f)).map(x -> x.action()).toList();
    }

    @Test
    @DisplayName("issue 14 §4 row 11 NEWER_WINS: the Silknote document changed later wins (written to VSRX, linked)")
    void row11NewerWinsSilknoteLater() {
        bidirectional(false, ConflictStrategy.NEWER_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument a = unlinkedWithOtherBytesAt(fs, f, java.time.Duration.ofSeconds(1));

        SyncResult r = fx.run();

        assertThat(actions(r, f[0])).containsExactly(FileAction.UPDATED);
        assertThat(fx.vsrx.contentHash(f[0])).isEqualTo(sha256("silknote version"));
        assertThat(fx.silknote.documents().findDocument(a.uuid()).orElseThrow().contentHash())
                .isEqualTo(sha256("silknote version"));
    }

    @Test
    @DisplayName("issue 14 §4 row 11 NEWER_WINS: the file changed later wins (the document linked with its bytes)")
    void row11NewerWinsVsrxLater() {
        bidirectional(false, ConflictStrategy.NEWER_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument a = unlinkedWithOtherBytesAt(fs, f, java.time.Duration.ofSeconds(-1));

        SyncResult r = fx.run();

        assertThat(actions(r, f[0])).as("one report for the decided file").containsExactly(FileAction.UPDATED);
        assertThat(fx.vsrx.contentHash(f[0])).isEqualTo(sha256("vsrx version"));
        assertThat(fx.silknote.documents().findDocument(a.uuid()).orElseThrow().contentHash())
                .isEqualTo(sha256("vsrx version"));
    }

    @Test
    @DisplayName("issue 14 §4 row 11 NEWER_WINS: equal times are reported; both versions kept")
    void row11NewerWinsEqualTimesReports() {
        bidirectional(false, ConflictStrategy.NEWER_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument a = unlinkedWithOtherBytesAt(fs, f, java.time.Duration.ZERO);

        SyncResult r = fx.run();

        assertThat(actions(r, f[0])).containsExactly(FileAction.CONFLICT);
        assertThat(fx.silknote.documents().findDocument(a.uuid())).isEmpty();
        assertThat(records()).singleElement().satisfies(x -> assertThat(x.status()).isEqualTo(ConflictStatus.OPEN));
    }

    @Test
    @DisplayName("issue 14 (every decision is audited): KEEP_BOTH on row 4c and row 11 audits the conflict copy's id")
    void keepBothAuditsTheCopy() {
        bidirectional(false, ConflictStrategy.KEEP_BOTH);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        fx.vsrx.modifyFile(f, "vsrx edit");
        userEdits(f, "silknote edit");
        VsrxFileId[] u = new VsrxFileId[1];
        AuthoredDocument a = unlinkedWithOtherBytes(fs, u);

        SyncResult r = fx.run();

        assertThat(actions(r, f)).containsExactly(FileAction.UPDATED);
        assertThat(actions(r, u[0])).as("one report for the decided file").containsExactly(FileAction.UPDATED);
        DocumentUuid d = DocumentUuid.forVsrxFile(f);
        DocumentUuid copy = DocumentUuid.conflictCopy(d, sha256("silknote edit"));
        assertThat(audit(d, AuditAction.CONFLICT_DECIDED)).singleElement().satisfies(e -> assertThat(
                e.detail().orElseThrow()).contains(",copy=" + copy));
        DocumentUuid copy11 = DocumentUuid.conflictCopy(a.uuid(), sha256("silknote version"));
        assertThat(audit(a.uuid(), AuditAction.CONFLICT_DECIDED)).singleElement().satisfies(e -> assertThat(
                e.detail().orElseThrow()).contains(",copy=" + copy11));
    }

    /** Row 11 on a file the sync wrote that VSRX lists without an ETag (it cannot be replaced conditionally). */
    private VsrxFileId unlinkedWithOtherBytesWithoutEtag(FilesetId fs, AuthoredDocument[] doc) {
        ContentHash s = stored("silknote version");
        doc[0] = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), EngineFixture.patient("P-1"),
                Optional.of(fs), s, "silknote version".length(), "text/plain", Optional.of("Brief"), "SILKNOTE",
                "ungrouped", fx.clock.instant());
        fx.silknote.documents().createDocumentAsSilknoteUser(doc[0]);
        return fx.vsrx.newFile(fs).path("notes/silknote/Brief.txt").content("vsrx version".getBytes(
                StandardCharsets.UTF_8)).withoutEtag().listSha256(true).origin(doc[0].uuid()).add();
    }

    @Test
    @DisplayName("issue 14 §4 row 11 VSRX_WINS on a file without ETag: decided and linked (nothing is written to VSRX)")
    void row11VsrxWinsWithoutEtagIsDecided() {
        bidirectional(false, ConflictStrategy.VSRX_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        AuthoredDocument[] a = new AuthoredDocument[1];
        VsrxFileId f = unlinkedWithOtherBytesWithoutEtag(fs, a);

        SyncResult r = fx.run();

        assertThat(actions(r, f)).containsExactly(FileAction.UPDATED);
        assertThat(fx.silknote.documents().findDocument(a[0].uuid()).orElseThrow().contentHash())
                .isEqualTo(sha256("vsrx version"));
    }

    @Test
    @DisplayName("issue 14 §4 row 11 SILKNOTE_WINS on a file without ETag: reported, VSRX not written, both kept")
    void row11SilknoteWinsWithoutEtagIsReported() {
        bidirectional(false, ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        AuthoredDocument[] a = new AuthoredDocument[1];
        VsrxFileId f = unlinkedWithOtherBytesWithoutEtag(fs, a);

        SyncResult r = fx.run();

        assertThat(actions(r, f)).containsExactly(FileAction.CONFLICT);
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(sha256("vsrx version"));
        assertThat(records()).singleElement().satisfies(x -> assertThat(x.status()).isEqualTo(ConflictStatus.OPEN));
    }
}
