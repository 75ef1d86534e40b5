package com.silknote.sync.testkit.contract;

import static com.silknote.sync.testkit.contract.Fixtures.OTHER_PATIENT;
import static com.silknote.sync.testkit.contract.Fixtures.PATIENT;
import static com.silknote.sync.testkit.contract.Fixtures.document;
import static com.silknote.sync.testkit.contract.Fixtures.fileId;
import static com.silknote.sync.testkit.contract.Fixtures.fileset;
import static com.silknote.sync.testkit.contract.Fixtures.hash;
import static com.silknote.sync.testkit.contract.Fixtures.mapping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.ConsistencyCheck;
import com.silknote.sync.core.OrphanCleanup;
import com.silknote.sync.core.exception.ConcurrentUpdateException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditEntry;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.CheckRequest;
import com.silknote.sync.core.model.CleanupReport;
import com.silknote.sync.core.model.CleanupRequest;
import com.silknote.sync.core.model.ConflictId;
import com.silknote.sync.core.model.ConflictKind;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStatus;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FindingClass;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.ReferenceTally;
import com.silknote.sync.core.model.RepairReport;
import com.silknote.sync.core.model.RepairRequest;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SilknoteChange;
import com.silknote.sync.core.model.SilknoteChangePage;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.InMemoryBlobStore;
import com.silknote.sync.testkit.InMemorySyncLock;
import com.silknote.sync.testkit.InMemoryVectorStore;
import com.silknote.sync.testkit.SilknoteUser;
import com.silknote.sync.testkit.TestClock;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Silknote side of a {@link DocumentStore} for bi-directional sync (issue 14; docs/bidirectional.md §6):
 * Silknote-created documents, the change sequence that finds Silknote-side changes without scanning every
 * document, the stored change position, conflict records. A store's test extends this class beside its
 * {@link DocumentStoreContract} and supplies the store and a {@link SilknoteUser} that changes the same backend
 * the way Silknote does.
 */
public abstract class SilknoteSideDocumentStoreContract {
    private static final Logger LOG = LoggerFactory.getLogger(SilknoteSideDocumentStoreContract.class);


    /** The clock given to the store. */
    protected final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");

    /** A fresh, empty store stamping times with {@code clock}. Called once per test, lazily. */
    protected abstract DocumentStore newStore(Clock clock);

    /** Changes the backend of {@link #store()} the way Silknote does. */
    protected abstract SilknoteUser silknoteUser();

    /** The lock the operations beside the sync take on {@link #store()}'s backend (its fence must accept it). */
    protected SyncLock newLock(Clock clock) {
        return new InMemorySyncLock(clock);
    }

    private DocumentStore store;

    /** The store of the running test (created on first use). */
    protected final synchronized DocumentStore store() {
        if (store == null) {
            store = newStore(clock);
        }
        return store;
    }

    @AfterEach
    void forgetStore() {
        store = null;
    }

    private static final FilesetId FS = FilesetId.of("fs-000001");
    private static final FilesetId FS2 = FilesetId.of("fs-000002");
    private static final FencingToken T1 = FencingToken.of(1);

    private void write(FencingToken token, Consumer<DocumentStore.UnitOfWork> work) {
        store().inUnitOfWork(token, u -> {
            work.accept(u);
            return null;
        });
    }

    private static DocumentUuid uuid(int n) {
        return new DocumentUuid(UUID.nameUUIDFromBytes(("authored-" + n).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private AuthoredDocument authored(int n, PatientUuid patient, Optional<FilesetId> fileset) {
        return new AuthoredDocument(uuid(n), patient, fileset, hash("authored " + n), 10 + n, "application/pdf",
                Optional.of("Arztbrief Nr. " + n), AuthoredDocument.SILKNOTE, DocumentMetadata.UNGROUPED,
                clock.instant());
    }

    private List<SilknoteChange> readAll(long position, int limit) {
        List<SilknoteChange> out = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        for (int pages = 0; ; pages++) {
            assertThat(pages).isLessThan(1000);
            SilknoteChangePage page = store().silknoteChanges(position, cursor, limit);
            assertThat(page.changes().size()).isLessThanOrEqualTo(limit);
            out.addAll(page.changes());
            if (page.nextCursor().isEmpty()) {
                return out;
            }
            cursor = page.nextCursor();
        }
    }

    private static Set<DocumentUuid> documentsOf(List<SilknoteChange> changes) {
        Set<DocumentUuid> out = new LinkedHashSet<>();
        changes.forEach(c -> out.add(c.document()));
        return out;
    }

    private SilknoteDocument seedLinked(int n) {
        Instant now = clock.instant();
        SilknoteDocument d = document(FS, fileId(n), hash("linked " + n), 7, now);
        write(T1, u -> {
            u.upsertFileset(fileset(FS, now));
            u.addBlobRef(d.contentHash(), d.size(), "etag-" + n);
            u.upsertDocument(d);
            u.upsertMapping(mapping(d, Optional.of("\"v" + n + "\""), now, now));
        });
        return d;
    }

    // ------------------------------------------------------------------ Silknote-created documents

    @Test
    public void silknoteCreatedDocumentsAreFoundByTheirFilesetOrTheirPatient() {
        seedLinked(1);
        AuthoredDocument filed = authored(1, PATIENT, Optional.of(FS));
        AuthoredDocument unfiled = authored(2, PATIENT, Optional.empty());
        AuthoredDocument otherFileset = authored(3, PATIENT, Optional.of(FS2));
        AuthoredDocument otherPatient = authored(4, OTHER_PATIENT, Optional.empty());
        for (AuthoredDocument a : List.of(filed, unfiled, otherFileset, otherPatient)) {
            silknoteUser().create(a);
        }
        assertThat(store().authoredDocuments(FS, PATIENT)).containsExactlyInAnyOrder(filed, unfiled);
        assertThat(store().authoredDocuments(FS2, PATIENT)).containsExactlyInAnyOrder(otherFileset, unfiled);
        assertThat(store().authoredDocuments(FS2, OTHER_PATIENT)).containsExactlyInAnyOrder(otherFileset, otherPatient);
        assertThat(store().findAuthoredDocuments(List.of(uuid(1), uuid(4), uuid(99))))
                .containsOnlyKeys(uuid(1), uuid(4)).containsEntry(uuid(1), filed);
        // They are not documents the sync made: no lookup of synced documents returns them.
        assertThat(store().documents(FS)).extracting(SilknoteDocument::uuid).doesNotContain(uuid(1));
        assertThat(store().findDocument(uuid(1))).isEmpty();
        assertThat(store().authoredDocuments(FilesetId.of("fs-none"), PatientUuid.of(UUID.randomUUID().toString())))
                .isEmpty();
    }

    @Test
    public void linkingASilknoteCreatedDocumentMakesItASyncedDocument() {
        AuthoredDocument a = authored(1, PATIENT, Optional.of(FS));
        silknoteUser().create(a);
        Instant now = clock.instant();
        VsrxFileId created = VsrxFileId.of("file-created-1");
        SilknoteDocument linked = new SilknoteDocument(a.uuid(), PATIENT, FS, created, a.contentHash(), a.size(),
                a.mimeType(), DocumentMetadata.synced(created, "notes/silknote/Arztbrief Nr. 1-0001.pdf",
                        fileset(FS, now).patientIdHistory()), now);
        SyncMapping m = new SyncMapping(created, a.uuid(), created, FS, Optional.of("\"c1\""), now, a.size(),
                a.contentHash(), now);
        write(T1, u -> {
            u.expectAuthored(a.uuid(), Optional.of(a));
            u.expectFile(created, Optional.empty(), Optional.empty());
            u.upsertFileset(fileset(FS, now));
            u.addBlobRef(a.contentHash(), a.size(), "etag");
            u.upsertDocument(linked);
            u.upsertMapping(m);
        });
        assertThat(store().authoredDocuments(FS, PATIENT)).isEmpty();
        assertThat(store().findAuthoredDocuments(List.of(a.uuid()))).isEmpty();
        assertThat(store().findDocument(a.uuid())).contains(linked);
        assertThat(store().findDocumentByClientFileId(created)).contains(linked);
        assertThat(store().documents(FS)).containsExactly(linked);
        assertThat(store().findMapping(created)).contains(m);
    }

    /**
     * Issue 14, "every decision is audited": the audit rows of the Silknote side (exports, links, pushes, VSRX
     * deletes, conflicts detected, decided and resolved) are stored with every field and commit or roll back with
     * the change they record.
     */
    @Test
    public void silknoteSideDecisionsAreAuditedInTheirUnitOfWork() {
        AuthoredDocument a = authored(1, PATIENT, Optional.of(FS));
        silknoteUser().create(a);
        Instant now = clock.instant();
        VsrxFileId created = VsrxFileId.of("file-created-1");
        SilknoteDocument linked = new SilknoteDocument(a.uuid(), PATIENT, FS, created, a.contentHash(), a.size(),
                a.mimeType(), DocumentMetadata.synced(created, "notes/silknote/Arztbrief Nr. 1-0001.pdf",
                        fileset(FS, now).patientIdHistory()), now);
        SyncMapping m = new SyncMapping(created, a.uuid(), created, FS, Optional.of("\"c1\""), now, a.size(),
                a.contentHash(), now);
        RunId run = RunId.of("run-audit-1");
        List<AuditAction> bidi = List.of(AuditAction.EXPORTED, AuditAction.LINKED, AuditAction.PUSHED,
                AuditAction.DELETED_IN_VSRX, AuditAction.CONFLICT_DETECTED, AuditAction.CONFLICT_DECIDED,
                AuditAction.CONFLICT_RESOLVED);
        // A unit of work that fails after writing its audit rows leaves none of them.
        assertThatThrownBy(() -> write(T1, u -> {
            u.audit(AuditEntry.of(run, AuditAction.EXPORTED).document(a.uuid()).fileId(created).fileset(FS)
                    .after(a.contentHash()).detail("exported-to-vsrx").build());
            throw new IllegalStateException("fails before the commit");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(store().auditTrail(AuditQuery.byRun(run), 0, 100)).isEmpty();

        write(T1, u -> {
            u.expectAuthored(a.uuid(), Optional.of(a));
            u.upsertFileset(fileset(FS, now));
            u.addBlobRef(a.contentHash(), a.size(), "etag");
            u.upsertDocument(linked);
            u.upsertMapping(m);
            for (AuditAction action : bidi) {
                u.audit(AuditEntry.of(run, action).document(a.uuid()).fileId(created).fileset(FS)
                        .before(hash("base")).after(a.contentHash())
                        .detail("conflict:vsrx-wins,conflict=c-0123456789abcdef01234567,kind=changed-on-both-sides,"
                                + "outcome=updated").build());
            }
        });
        List<com.silknote.sync.core.model.AuditRecord> rows = store().auditTrail(AuditQuery.byDocument(a.uuid()), 0,
                100);
        assertThat(rows).extracting(r -> r.entry().action()).containsSubsequence(bidi);
        assertThat(rows).filteredOn(r -> bidi.contains(r.entry().action())).allSatisfy(r -> {
            assertThat(r.entry().runId()).isEqualTo(run);
            assertThat(r.entry().fileId()).contains(created);
            assertThat(r.entry().filesetId()).contains(FS);
            assertThat(r.entry().beforeHash()).contains(hash("base"));
            assertThat(r.entry().afterHash()).contains(a.contentHash());
            assertThat(r.entry().detail()).hasValueSatisfying(d -> assertThat(d).contains("vsrx-wins")
                    .doesNotContain("/"));
        });
    }

    @Test
    public void aSilknoteCreatedDocumentChangedSinceItWasReadFailsTheUnitOfWork() {
        AuthoredDocument a = authored(1, PATIENT, Optional.of(FS));
        silknoteUser().create(a);
        clock.advance(Duration.ofSeconds(3));
        silknoteUser().replaceContent(a.uuid(), hash("edited"), 6, "application/pdf");
        Instant now = clock.instant();
        assertThatThrownBy(() -> write(T1, u -> {
            u.expectAuthored(a.uuid(), Optional.of(a));
            u.upsertFileset(fileset(FS, now));
        })).isInstanceOf(ConcurrentUpdateException.class);
        assertThat(store().findFileset(FS)).isEmpty();
        AuthoredDocument now2 = store().findAuthoredDocuments(List.of(a.uuid())).get(a.uuid());
        assertThat(now2.contentHash()).isEqualTo(hash("edited"));
        assertThat(now2.size()).isEqualTo(6);
        assertThat(now2.updatedAt()).isAfter(a.updatedAt());
        // Absent must stay absent too.
        silknoteUser().create(authored(2, PATIENT, Optional.of(FS)));
        assertThatThrownBy(() -> write(T1, u -> {
            u.expectAuthored(uuid(2), Optional.empty());
            u.upsertFileset(fileset(FS, now));
        })).isInstanceOf(ConcurrentUpdateException.class);
        assertThat(store().findFileset(FS)).isEmpty();
    }

    @Test
    public void theSyncCanAddAConflictCopyAsASilknoteCreatedDocument() {
        AuthoredDocument copy = new AuthoredDocument(uuid(7), PATIENT, Optional.of(FS), hash("loser"), 5,
                "text/plain", Optional.of("Befund (Silknote conflict copy 2026-01-01)"), AuthoredDocument.CONFLICT_COPY,
                DocumentMetadata.UNGROUPED, clock.instant());
        long before = store().silknoteChanges(0, Optional.empty(), 10).settledPosition();
        write(T1, u -> u.addAuthoredDocument(copy));
        assertThat(store().authoredDocuments(FS, PATIENT)).containsExactly(copy);
        assertThat(readAll(before, 10)).as("a write of the sync is not a Silknote-side change").isEmpty();
        assertThatThrownBy(() -> write(T1, u -> u.addAuthoredDocument(copy))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    public void filesetsOfAPatientAreItsRecords() {
        Instant now = clock.instant();
        PatientFilesetRecord mine = fileset(FS, now);
        PatientFilesetRecord other = new PatientFilesetRecord(FS2, OTHER_PATIENT, mine.patientIdHistory(), now);
        write(T1, u -> {
            u.upsertFileset(mine);
            u.upsertFileset(other);
        });
        assertThat(store().filesetsOfPatient(PATIENT)).containsExactly(mine);
        assertThat(store().filesetsOfPatient(OTHER_PATIENT)).containsExactly(other);
    }

    @Test
    public void deleteMappingKeepsTheDocument() {
        SilknoteDocument d = seedLinked(1);
        write(T1, u -> u.deleteMapping(d.clientFileId()));
        assertThat(store().findMapping(d.clientFileId())).isEmpty();
        assertThat(store().findDocument(d.uuid())).contains(d);
        write(T1, u -> u.deleteMapping(d.clientFileId()));
    }

    // ------------------------------------------------------------------ change sequence

    @Test
    public void everySilknoteSideChangeIsInTheSequenceAndNoWriteOfTheSync() {
        SilknoteDocument linked = seedLinked(1);
        SilknoteDocument other = seedLinked(2);
        long start = store().silknoteChanges(0, Optional.empty(), 10).settledPosition();
        assertThat(readAll(start, 10)).as("the sync's own writes are not Silknote-side changes").isEmpty();

        AuthoredDocument created = authored(1, PATIENT, Optional.of(FS));
        silknoteUser().create(created);
        silknoteUser().replaceContent(linked.uuid(), hash("user edit"), 9, "application/pdf");
        silknoteUser().group(other.uuid(), "grouped-by-user");
        silknoteUser().remove(other.uuid());
        List<SilknoteChange> changes = readAll(start, 1000);
        assertThat(changes).extracting(SilknoteChange::position).isSorted();
        assertThat(changes).allSatisfy(c -> assertThat(c.position()).isGreaterThanOrEqualTo(start));
        assertThat(documentsOf(changes)).containsExactlyInAnyOrder(created.uuid(), linked.uuid(), other.uuid());
        assertThat(changes).filteredOn(SilknoteChange::removed).singleElement().satisfies(c -> {
            assertThat(c.document()).isEqualTo(other.uuid());
            assertThat(c.filesetId()).contains(FS);
            assertThat(c.patientUuid()).isEqualTo(PATIENT);
        });
        assertThat(changes).filteredOn(c -> c.document().equals(created.uuid()))
                .allSatisfy(c -> assertThat(c.filesetId()).contains(FS));

        // Writes of the sync after that: still nothing new.
        long settled = store().silknoteChanges(start, Optional.empty(), 10).settledPosition();
        Instant now = clock.instant();
        write(T1, u -> {
            u.upsertDocument(new SilknoteDocument(linked.uuid(), PATIENT, FS, linked.clientFileId(), hash("sync"), 4,
                    "application/pdf", linked.metadata(), now));
            u.deleteDocument(linked.uuid());
        });
        assertThat(readAll(settled, 10)).isEmpty();
    }

    @Test
    public void changesArePagedInPositionOrderAndReadFromAStoredPosition() {
        long start = store().silknoteChanges(0, Optional.empty(), 1).settledPosition();
        for (int i = 1; i <= 7; i++) {
            silknoteUser().create(authored(i, i % 2 == 0 ? PATIENT : OTHER_PATIENT,
                    i % 3 == 0 ? Optional.empty() : Optional.of(FS)));
        }
        List<SilknoteChange> all = readAll(start, 1000);
        assertThat(documentsOf(all)).hasSize(7);
        for (int limit : new int[] {1, 2, 3}) {
            assertThat(readAll(start, limit)).as("limit %d", limit).isEqualTo(all);
        }
        long settled = store().silknoteChanges(start, Optional.empty(), 1000).settledPosition();
        write(T1, u -> u.saveChangePosition(settled));
        assertThat(store().loadChangePosition()).isEqualTo(settled);
        silknoteUser().replaceContent(uuid(3), hash("later"), 5, "application/pdf");
        List<SilknoteChange> later = readAll(store().loadChangePosition(), 1000);
        assertThat(documentsOf(later)).containsExactly(uuid(3));
        assertThat(later.get(0).filesetId()).isEmpty();
        assertThat(later.get(0).patientUuid()).isEqualTo(OTHER_PATIENT);
    }

    @Test
    public void theChangePositionStartsAtZeroAndIsFenced() {
        assertThat(store().loadChangePosition()).isZero();
        store().fence(FencingToken.of(5));
        assertThatThrownBy(() -> write(FencingToken.of(4), u -> u.saveChangePosition(42)))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThat(store().loadChangePosition()).isZero();
    }

    /**
     * The hard case of a change cursor: a Silknote transaction that drew its position before another one but
     * commits after the reader stored its position. Its change must still be read.
     */
    @Test
    public void aChangeThatCommitsLateIsNeverSkipped() {
        SilknoteDocument slow = seedLinked(1);
        SilknoteDocument fast = seedLinked(2);
        long start = store().silknoteChanges(0, Optional.empty(), 10).settledPosition();
        SilknoteUser.Pending pending = silknoteUser().replaceContentLater(slow.uuid(), hash("slow"), 4, "application/pdf");
        silknoteUser().replaceContent(fast.uuid(), hash("fast"), 4, "application/pdf");
        SilknoteChangePage first = store().silknoteChanges(start, Optional.empty(), 1000);
        assertThat(documentsOf(first.changes())).contains(fast.uuid()).doesNotContain(slow.uuid());
        write(T1, u -> u.saveChangePosition(first.settledPosition()));
        pending.commit();
        assertThat(documentsOf(readAll(store().loadChangePosition(), 1000))).contains(slow.uuid());
    }

    /** Seeded: changes interleaved with reads that store their settled position; every change is read once or more. */
    @Test
    public void aReaderThatStoresItsSettledPositionMissesNoChange() {
        long seed = new SplittableRandom().nextLong();
        LOG.info("SilknoteSideDocumentStoreContract.aReaderThatStoresItsSettledPositionMissesNoChange seed={}", seed);
        SplittableRandom random = new SplittableRandom(seed);
        List<SilknoteDocument> docs = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            docs.add(seedLinked(i));
        }
        write(T1, u -> u.saveChangePosition(store().silknoteChanges(0, Optional.empty(), 10).settledPosition()));
        Map<DocumentUuid, Integer> lastWritten = new java.util.HashMap<>();
        Set<DocumentUuid> seenSinceWrite = new java.util.HashSet<>();
        List<SilknoteUser.Pending> inFlight = new ArrayList<>();
        List<DocumentUuid> inFlightDocs = new ArrayList<>();
        int version = 0;
        for (int step = 0; step < 40; step++) {
            int op = random.nextInt(4);
            if (op == 0 && inFlight.isEmpty()) {
                DocumentUuid d = docs.get(random.nextInt(docs.size())).uuid();
                version++;
                inFlight.add(silknoteUser().replaceContentLater(d, hash("v" + version), version, "application/pdf"));
                inFlightDocs.add(d);
            } else if (op == 1 && !inFlight.isEmpty()) {
                inFlight.remove(0).commit();
                DocumentUuid d = inFlightDocs.remove(0);
                lastWritten.put(d, step);
                seenSinceWrite.remove(d);
            } else if (op == 2) {
                DocumentUuid d = docs.get(random.nextInt(docs.size())).uuid();
                if (inFlightDocs.contains(d)) {
                    continue;
                }
                version++;
                silknoteUser().replaceContent(d, hash("v" + version), version, "application/pdf");
                lastWritten.put(d, step);
                seenSinceWrite.remove(d);
            } else {
                long from = store().loadChangePosition();
                SilknoteChangePage first = store().silknoteChanges(from, Optional.empty(), 2);
                List<SilknoteChange> read = new ArrayList<>(first.changes());
                Optional<String> cursor = first.nextCursor();
                while (cursor.isPresent()) {
                    SilknoteChangePage p = store().silknoteChanges(from, cursor, 2);
                    read.addAll(p.changes());
                    cursor = p.nextCursor();
                }
                seenSinceWrite.addAll(documentsOf(read));
                long settled = first.settledPosition();
                write(T1, u -> u.saveChangePosition(settled));
            }
        }
        while (!inFlight.isEmpty()) {
            inFlight.remove(0).commit();
            DocumentUuid d = inFlightDocs.remove(0);
            lastWritten.put(d, 99);
            seenSinceWrite.remove(d);
        }
        seenSinceWrite.addAll(documentsOf(readAll(store().loadChangePosition(), 1000)));
        assertThat(seenSinceWrite).as("seed %d: every document changed since its last read is read again", seed)
                .containsAll(lastWritten.keySet());
    }

    // ------------------------------------------------------------------ conflict records

    private ConflictRecord conflict(FilesetId fs, int n, ConflictStatus status) {
        Instant now = clock.instant();
        return new ConflictRecord(ConflictId.derive("test", fs.value(), Integer.toString(n)), fs,
                Optional.of(fileId(n)), DocumentUuid.forVsrxFile(fileId(n)), ConflictKind.CHANGED_ON_BOTH_SIDES, status,
                Optional.of(hash("base " + n)), Optional.of(hash("vsrx " + n)), Optional.of("\"e" + n + "\""),
                Optional.of(hash("silknote " + n)),
                status == ConflictStatus.OPEN ? Optional.empty() : Optional.of(ConflictStrategy.VSRX_WINS),
                Optional.empty(),
                status == ConflictStatus.APPLIED ? Optional.of(hash("silknote " + n)) : Optional.empty(),
                Optional.of("conflict:vsrx-wins"), now.minusSeconds(60), now);
    }

    @Test
    public void conflictRecordsReadBackAsWrittenAndAreListedByFilesetAndStatus() {
        ConflictRecord open = conflict(FS, 1, ConflictStatus.OPEN);
        ConflictRecord applied = conflict(FS, 2, ConflictStatus.APPLIED);
        ConflictRecord resolved = conflict(FS, 3, ConflictStatus.RESOLVED);
        ConflictRecord elsewhere = conflict(FS2, 4, ConflictStatus.OPEN);
        ConflictRecord decided = conflict(FS2, 5, ConflictStatus.OPEN).with(ConflictStatus.OPEN,
                Optional.of(ConflictStrategy.KEEP_BOTH), Optional.of(ConflictStrategy.KEEP_BOTH), Optional.empty(),
                Optional.of("decided-by-operator"), clock.instant());
        write(T1, u -> List.of(open, applied, resolved, elsewhere, decided).forEach(u::upsertConflict));
        assertThat(store().findConflict(open.id())).contains(open);
        assertThat(store().findConflict(decided.id())).contains(decided);
        assertThat(store().findConflict(ConflictId.derive("nope"))).isEmpty();
        assertThat(store().conflicts(FS)).as("unresolved ones of the fileset").containsExactlyInAnyOrder(open, applied);
        assertThat(store().conflicts(FS2)).containsExactlyInAnyOrder(elsewhere, decided);
        List<ConflictRecord> unresolved = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            Page<ConflictRecord> p = store().conflicts(EnumSet.of(ConflictStatus.OPEN, ConflictStatus.APPLIED), cursor, 1);
            unresolved.addAll(p.items());
            cursor = p.nextCursor();
        } while (cursor.isPresent());
        assertThat(unresolved).containsExactlyInAnyOrder(open, applied, elsewhere, decided);
        assertThat(unresolved).extracting(ConflictRecord::id).isSorted();
        assertThat(store().conflicts(EnumSet.of(ConflictStatus.RESOLVED), Optional.empty(), 10).items())
                .containsExactly(resolved);
        ConflictRecord released = applied.with(ConflictStatus.RESOLVED, applied.strategy(), Optional.empty(),
                Optional.empty(), Optional.of("released"), clock.instant());
        write(T1, u -> {
            u.expectConflict(applied.id(), Optional.of(applied));
            u.upsertConflict(released);
        });
        assertThat(store().findConflict(applied.id())).contains(released);
        assertThat(store().conflicts(FS)).containsExactly(open);
    }

    @Test
    public void aConflictRecordChangedSinceItWasReadFailsTheUnitOfWork() {
        ConflictRecord open = conflict(FS, 1, ConflictStatus.OPEN);
        write(T1, u -> u.upsertConflict(open));
        ConflictRecord decided = open.with(ConflictStatus.OPEN, Optional.of(ConflictStrategy.VSRX_WINS),
                Optional.of(ConflictStrategy.VSRX_WINS), Optional.empty(), Optional.empty(), clock.instant());
        write(T1, u -> u.upsertConflict(decided));
        assertThatThrownBy(() -> write(T1, u -> {
            u.expectConflict(open.id(), Optional.of(open));
            u.upsertConflict(open.with(ConflictStatus.RESOLVED, Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), clock.instant()));
        })).isInstanceOf(ConcurrentUpdateException.class);
        assertThat(store().findConflict(open.id())).contains(decided);
        ConflictRecord fresh = conflict(FS, 9, ConflictStatus.OPEN);
        assertThatThrownBy(() -> write(T1, u -> {
            u.expectConflict(open.id(), Optional.empty());
            u.upsertConflict(fresh);
        })).isInstanceOf(ConcurrentUpdateException.class);
        assertThat(store().findConflict(fresh.id())).isEmpty();
    }

    @Test
    public void conflictWritesAreFenced() {
        store().fence(FencingToken.of(3));
        assertThatThrownBy(() -> write(FencingToken.of(2), u -> u.upsertConflict(conflict(FS, 1, ConflictStatus.OPEN))))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThat(store().conflicts(FS)).isEmpty();
    }

    // ------------------------------------------------------------------ conflict records and the operations (issue 11)

    private Map<ContentHash, ReferenceTally> tallies() {
        Map<ContentHash, ReferenceTally> out = new HashMap<>();
        Optional<String> cursor = Optional.empty();
        for (int pages = 0; ; pages++) {
            assertThat(pages).isLessThan(1000);
            Page<ReferenceTally> p = store().referenceTallies(cursor, 1); // one hash a page: every bound is used
            p.items().forEach(t -> out.put(t.hash(), t));
            if (p.nextCursor().isEmpty()) {
                return out;
            }
            cursor = p.nextCursor();
        }
    }

    private long count(ContentHash h) {
        return store().findBlobRef(h).map(BlobRef::refCount).orElse(-1L);
    }

    /**
     * Issue 14 with issue 11: the held versions of a conflict record are blob references for every reader of the
     * reference definition (the tallies, the maintenance recount, the mark for collection and a release's
     * recount), exactly as the unit of work that wrote the record counted them; else a repair would drop the
     * count and the collector delete the losing bytes.
     */
    @Test
    public void aConflictRecordsHeldVersionsAreReferencesForTalliesRecountsAndTheCollector() {
        seedLinked(1);
        ConflictRecord open = conflict(FS, 2, ConflictStatus.OPEN);
        ConflictRecord applied = conflict(FS, 3, ConflictStatus.APPLIED);
        List<ContentHash> held = List.of(open.vsrxHash().orElseThrow(), open.silknoteHash().orElseThrow(),
                applied.keptHash().orElseThrow());
        write(T1, u -> {
            held.forEach(h -> u.addBlobRef(h, 9, "etag-" + h.hex().substring(0, 8)));
            u.upsertConflict(open);
            u.upsertConflict(applied);
        });
        Map<ContentHash, ReferenceTally> tallies = tallies();
        for (ContentHash h : held) {
            assertThat(tallies.get(h).references()).as("tally of a held version").isEqualTo(1);
            assertThat(tallies.get(h).row().map(BlobRef::refCount)).contains(1L);
        }
        RunId run = RunId.of("repair-contract-1");
        write(T1, u -> held.forEach(h -> u.recountBlobRef(h, AuditEntry.of(run, AuditAction.REPAIR_REFERENCE_COUNT)
                .build())));
        held.forEach(h -> assertThat(count(h)).as("recounted held version").isEqualTo(1));
        assertThat(store().auditTrail(AuditQuery.byRun(run), 0, 10)).as("nothing to recount").isEmpty();

        // a row that counts too few (0) while the record holds the bytes: marked for collection never
        ContentHash v = held.get(0);
        write(T1, u -> u.releaseBlobRef(v));
        assertThat(count(v)).isZero();
        clock.advance(Duration.ofDays(2));
        write(T1, u -> u.markBlobDeleting(v, "etag-" + v.hex().substring(0, 8), clock.instant()));
        assertThat(store().findBlobRef(v).map(BlobRef::state)).contains(BlobRef.State.LIVE);
        assertThat(store().markBlobDeleting(T1, v, "etag-" + v.hex().substring(0, 8), clock.instant())).isFalse();
        assertThat(store().findBlobRef(v).map(BlobRef::state)).contains(BlobRef.State.LIVE);
        // a release that finds no reference left recounts the row from the ledger, the record included
        write(T1, u -> u.releaseBlobRef(v));
        write(T1, u -> u.releaseBlobRef(v));
        assertThat(count(v)).as("recount after a release that found nothing").isEqualTo(1);
    }

    private ContentHash putBlob(InMemoryBlobStore blobs, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        ContentHash h = com.silknote.sync.testkit.TestHashes.sha256(bytes);
        blobs.putIfAbsent(new BlobUpload(h, bytes.length, "text/plain", () -> new ByteArrayInputStream(bytes),
                Optional.empty()));
        return h;
    }

    /**
     * Issue 11 with issue 14: neither the repair nor the orphan cleanup takes away what bi-directional sync still
     * holds — the bytes of conflict records (the losing versions), the document and the mapping an unresolved
     * record is about, and Silknote-created documents waiting to be exported.
     */
    @Test
    public void repairAndCleanupKeepWhatConflictRecordsAndSilknoteCreatedDocumentsHold() {
        InMemoryBlobStore blobs = new InMemoryBlobStore(clock);
        SyncLock lock = newLock(clock);
        Instant now = clock.instant();
        FilesetId gone = FilesetId.of("fs-000009"); // a fileset without a record: its documents look orphaned
        // a linked document of a fileset without a record, and an open conflict about it
        ContentHash docHash = putBlob(blobs, "linked document, no fileset record");
        SilknoteDocument doc = document(gone, fileId(1), docHash, 34, now);
        ContentHash vsrxSide = putBlob(blobs, "the VSRX version of file 1");
        // a mapping whose document a Silknote user removed while VSRX changed the file: an open conflict
        ContentHash removedHash = putBlob(blobs, "document removed in Silknote");
        SilknoteDocument removed = document(FS, fileId(2), removedHash, 28, now);
        ContentHash removedVsrx = putBlob(blobs, "the VSRX version of file 2");
        // the loser of an applied strategy: no mapping or document holds it, only the record
        ContentHash loser = putBlob(blobs, "the losing version of file 3");
        SilknoteDocument third = document(FS, fileId(3), putBlob(blobs, "the winning version of file 3"), 29, now);
        ConflictRecord aboutDoc = new ConflictRecord(ConflictId.derive("ops", "1"), gone, Optional.of(fileId(1)),
                doc.uuid(), ConflictKind.CHANGED_ON_BOTH_SIDES, ConflictStatus.OPEN, Optional.empty(),
                Optional.of(vsrxSide), Optional.of("\"e1\""), Optional.of(docHash), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), now, now);
        ConflictRecord aboutMapping = new ConflictRecord(ConflictId.derive("ops", "2"), FS, Optional.of(fileId(2)),
                removed.uuid(), ConflictKind.REMOVED_IN_SILKNOTE, ConflictStatus.OPEN,
                Optional.of(removedHash), Optional.of(removedVsrx), Optional.of("\"e2\""), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), now, now);
        ConflictRecord appliedLoser = new ConflictRecord(ConflictId.derive("ops", "3"), FS, Optional.of(fileId(3)),
                third.uuid(), ConflictKind.CHANGED_ON_BOTH_SIDES, ConflictStatus.APPLIED, Optional.empty(),
                Optional.of(third.contentHash()), Optional.of("\"e3\""), Optional.of(loser),
                Optional.of(ConflictStrategy.VSRX_WINS), Optional.empty(), Optional.of(loser),
                Optional.of("conflict:vsrx-wins"), now, now);
        write(T1, u -> {
            u.upsertFileset(fileset(FS, now));
            for (SilknoteDocument d : List.of(doc, removed, third)) {
                u.addBlobRef(d.contentHash(), d.size(), blobs.stat(d.contentHash()).orElseThrow().etag());
                u.upsertDocument(d);
                u.upsertMapping(mapping(d, Optional.of("\"e0\""), now, now));
            }
            for (ConflictRecord r : List.of(aboutDoc, aboutMapping, appliedLoser)) {
                for (ContentHash h : r.heldHashes()) { // each held version is one more reference, as the sync counts
                    u.addBlobRef(h, blobs.stat(h).orElseThrow().size(), blobs.stat(h).orElseThrow().etag());
                }
                u.upsertConflict(r);
            }
        });
        silknoteUser().remove(removed.uuid());
        // a Silknote-created document waiting for its export, in the fileset without a record
        ContentHash authoredHash = putBlob(blobs, "written by a Silknote user");
        AuthoredDocument waiting = new AuthoredDocument(uuid(77), PATIENT, Optional.of(gone), authoredHash, 26,
                "text/plain", Optional.of("Befund"), AuthoredDocument.SILKNOTE, DocumentMetadata.UNGROUPED,
                clock.instant());
        silknoteUser().create(waiting);
        clock.advance(Duration.ofDays(3));
        SyncConfig config = SyncConfig.builder().blobGracePeriod(Duration.ofHours(1)).build();
        InMemoryVectorStore vectors = new InMemoryVectorStore();

        ConsistencyCheck check = ConsistencyCheck.builder().documents(store()).blobs(blobs).vectors(vectors)
                .lock(lock).config(config).clock(clock).sleeper(clock).random(new SplittableRandom(5)).build();
        assertThat(check.check(CheckRequest.defaults()).findings())
                .as("the held versions count as references: no mismatch")
                .noneMatch(f -> f.findingClass() == FindingClass.REFERENCE_COUNT_MISMATCH);
        RepairReport repaired = check.repair(RepairRequest.defaults());
        assertThat(repaired.repaired()).as("nothing to recount").isEmpty();
        for (ContentHash h : List.of(vsrxSide, removedVsrx, loser)) {
            assertThat(count(h)).as("count after repair").isEqualTo(1);
        }
        assertThat(count(docHash)).as("the mapping's and the open record's").isEqualTo(2);

        OrphanCleanup cleanup = OrphanCleanup.builder().documents(store()).blobs(blobs).vectors(vectors).lock(lock)
                .config(config).clock(clock).sleeper(clock).random(new SplittableRandom(6)).build();
        CleanupReport report = cleanup.run(CleanupRequest.removing());
        assertThat(report.success()).isTrue();
        assertThat(store().findDocument(doc.uuid())).as("document an open conflict is about").isPresent();
        assertThat(store().findMapping(fileId(2))).as("mapping an open conflict is about").isPresent();
        assertThat(store().findAuthoredDocuments(List.of(waiting.uuid()))).as("Silknote-created, to be exported")
                .containsKey(waiting.uuid());
        for (ContentHash h : List.of(vsrxSide, removedVsrx, loser, docHash, removedHash, authoredHash)) {
            assertThat(blobs.rawBytes(h)).as("bytes held by the ledger survive the cleanup: %s", h.hex()).isPresent();
        }
        assertThat(count(loser)).isEqualTo(1);
        assertThat(report.notes()).anyMatch(n -> n.contains("unresolved conflict record"));
    }
}
