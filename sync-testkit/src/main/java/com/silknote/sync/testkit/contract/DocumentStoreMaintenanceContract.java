package com.silknote.sync.testkit.contract;

import static com.silknote.sync.testkit.contract.Fixtures.document;
import static com.silknote.sync.testkit.contract.Fixtures.fileId;
import static com.silknote.sync.testkit.contract.Fixtures.fileset;
import static com.silknote.sync.testkit.contract.Fixtures.hash;
import static com.silknote.sync.testkit.contract.Fixtures.mapping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditEntry;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PermanentSkip;
import com.silknote.sync.core.model.ReferenceTally;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.testkit.TestClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What every {@link DocumentStore} must offer the operations beside the sync (issue 11): the maintenance
 * reads of the orphan cleanup and the consistency check, the audit log, and the blob maintenance of a unit of
 * work. An adapter's test extends this class and supplies {@link #newStore(Clock)}, as for
 * {@link DocumentStoreContract}.
 */
public abstract class DocumentStoreMaintenanceContract {

    /** The clock given to the store; tests move it. */
    protected final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");

    private DocumentStore store;

    /** A fresh, empty store (its own schema/namespace), stamping times with {@code clock}. */
    protected abstract DocumentStore newStore(Clock clock);

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
    private static final RunId RUN = RunId.of("run-contract-1");

    private void write(Consumer<DocumentStore.UnitOfWork> work) {
        store().inUnitOfWork(T1, u -> {
            work.accept(u);
            return null;
        });
    }

    /** A document of {@code fs} with its mapping and reference (no fileset record). */
    private SilknoteDocument synced(FilesetId fs, int n, String content) {
        Instant now = clock.instant();
        SilknoteDocument d = document(fs, fileId(n), hash(content), content.length(), now);
        write(u -> {
            u.upsertDocument(d);
            u.upsertMapping(mapping(d, Optional.of("e" + n), now, now));
            u.addBlobRef(d.contentHash(), d.size(), "etag-" + n);
        });
        return d;
    }

    private static <T> List<T> all(BiFunction<Optional<String>, Integer, Page<T>> pages, int limit) {
        List<T> out = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            Page<T> page = pages.apply(cursor, limit);
            assertThat(page.items().size()).isLessThanOrEqualTo(limit * 3);
            out.addAll(page.items());
            cursor = page.nextCursor();
        } while (cursor.isPresent());
        return out;
    }

    // ------------------------------------------------------------------ batch lookups

    @Test
    public void documentsAndReferenceRowsAreFoundByBatch() {
        SilknoteDocument a = synced(FS, 1, "alpha");
        SilknoteDocument b = synced(FS, 2, "beta");
        DocumentUuid absent = DocumentUuid.forVsrxFile(fileId(9));
        assertThat(store().findDocuments(List.of(a.uuid(), absent, b.uuid())))
                .containsOnlyKeys(a.uuid(), b.uuid()).containsEntry(a.uuid(), a);
        assertThat(store().findDocuments(List.of())).isEmpty();
        assertThat(store().existingDocuments(List.of(absent, b.uuid()))).containsExactly(b.uuid());
        assertThat(store().existingDocuments(List.of())).isEmpty();
        assertThat(store().findBlobRefs(List.of(hash("alpha"), hash("nothing"))))
                .containsOnlyKeys(hash("alpha"))
                .hasEntrySatisfying(hash("alpha"), r -> assertThat(r.refCount()).isEqualTo(1));
        assertThat(store().findDocumentsByContentHash(hash("beta"), 10)).containsExactly(b);
        assertThat(store().findDocumentsByContentHash(hash("nothing"), 10)).isEmpty();
    }

    @Test
    public void documentsSharingContentAreFoundByItsHashUpToTheLimit() {
        for (int i = 0; i < 5; i++) {
            synced(FS, i, "shared");
        }
        assertThat(store().findDocumentsByContentHash(hash("shared"), 3)).hasSize(3);
        assertThat(store().findDocumentsByContentHash(hash("shared"), 10)).hasSize(5);
    }

    @Test
    @DisplayName("rule 13: the migration marker round-trips and an upsert without it removes it")
    public void theMigrationMarkerRoundTrips() {
        Instant now = clock.instant();
        SilknoteDocument plain = document(FS, fileId(1), hash("x"), 1, now);
        SilknoteDocument moved = new SilknoteDocument(plain.uuid(), plain.patientUuid(), FS2, plain.clientFileId(),
                plain.contentHash(), plain.size(), plain.mimeType(),
                plain.metadata().withMigratedFrom(Optional.of(FS)), now);
        write(u -> u.upsertDocument(moved));
        assertThat(store().findDocument(plain.uuid())).contains(moved);
        assertThat(store().findDocument(plain.uuid()).orElseThrow().metadata().migratedFrom()).contains(FS);
        write(u -> u.upsertDocument(plain));
        assertThat(store().findDocument(plain.uuid())).contains(plain);
    }

    // ------------------------------------------------------------------ orphans

    @Test
    @DisplayName("rule 14: documents without a fileset record are listed exactly once over all pages")
    public void documentsWithoutAFilesetRecordArePaged() {
        Instant now = clock.instant();
        write(u -> u.upsertFileset(fileset(FS, now)));
        synced(FS, 1, "kept");
        Set<DocumentUuid> orphans = new HashSet<>();
        for (int i = 10; i < 17; i++) {
            orphans.add(synced(FS2, i, "orphan " + i).uuid());
        }
        List<SilknoteDocument> found = all(store()::documentsWithoutFileset, 3);
        assertThat(found).extracting(SilknoteDocument::uuid).containsExactlyInAnyOrderElementsOf(orphans);
        write(u -> u.upsertFileset(fileset(FS2, now)));
        assertThat(all(store()::documentsWithoutFileset, 3)).isEmpty();
    }

    @Test
    @DisplayName("rule 14: mappings without a document, and documents without a mapping, are listed")
    public void mappingsAndDocumentsMissingTheirCounterpartArePaged() {
        Instant now = clock.instant();
        SilknoteDocument both = synced(FS, 1, "both");
        List<VsrxFileId> lonelyMappings = new ArrayList<>();
        List<DocumentUuid> lonelyDocuments = new ArrayList<>();
        for (int i = 20; i < 25; i++) {
            SilknoteDocument d = document(FS, fileId(i), hash("m" + i), 2, now);
            lonelyMappings.add(d.clientFileId());
            write(u -> u.upsertMapping(mapping(d, Optional.empty(), now, now)));
        }
        for (int i = 30; i < 34; i++) {
            SilknoteDocument d = document(FS2, fileId(i), hash("d" + i), 2, now);
            lonelyDocuments.add(d.uuid());
            write(u -> u.upsertDocument(d));
        }
        assertThat(all(store()::mappingsWithoutDocument, 2)).extracting(SyncMapping::vsrxFileId)
                .containsExactlyElementsOf(lonelyMappings);
        assertThat(all(store()::documentsWithoutMapping, 2)).extracting(SilknoteDocument::uuid)
                .containsExactlyInAnyOrderElementsOf(lonelyDocuments).doesNotContain(both.uuid());
    }

    @Test
    @DisplayName("issue 9.3: a reference is held per file id, by the mapping's hash, else the document's")
    public void referenceTalliesCountReferencesPerFileId() {
        Instant now = clock.instant();
        ContentHash a = hash("A");
        ContentHash b = hash("B");
        ContentHash c = hash("C");
        ContentHash d = hash("D");
        ContentHash e = hash("E");
        SilknoteDocument one = document(FS, fileId(1), a, 10, now);
        SilknoteDocument two = document(FS, fileId(2), a, 10, now);
        write(u -> {
            // file 1: mapping and document on A; file 2: document on A, mapping already on B (mapping wins)
            u.upsertDocument(one);
            u.upsertMapping(mapping(one, Optional.empty(), now, now));
            u.upsertDocument(two);
            u.upsertMapping(new SyncMapping(two.clientFileId(), two.uuid(), two.clientFileId(), FS, Optional.empty(),
                    now, 11, b, now));
            // file 3: document on C without mapping
            u.upsertDocument(document(FS, fileId(3), c, 12, now));
            u.addBlobRef(a, 10, "ea");
            u.addBlobRef(a, 10, "ea");
            u.addBlobRef(d, 13, "ed");
            u.releaseBlobRef(d);
            u.addBlobRef(e, 14, "ee");
        });
        Map<ContentHash, ReferenceTally> byHash = new java.util.TreeMap<>();
        List<ReferenceTally> tallies = all(store()::referenceTallies, 2);
        tallies.forEach(t -> assertThat(byHash.put(t.hash(), t)).as("listed once: %s", t.hash()).isNull());
        assertThat(tallies).extracting(ReferenceTally::hash).isSorted();
        assertThat(byHash).containsOnlyKeys(a, b, c, d, e);
        assertThat(byHash.get(a).references()).isEqualTo(1);
        assertThat(byHash.get(a).row().orElseThrow().refCount()).isEqualTo(2);
        assertThat(byHash.get(a).countMatches()).isFalse();
        assertThat(byHash.get(b).references()).isEqualTo(1);
        assertThat(byHash.get(b).referencedSize()).hasValue(11);
        assertThat(byHash.get(b).row()).isEmpty();
        assertThat(byHash.get(c).references()).isEqualTo(1);
        assertThat(byHash.get(c).referencedSize()).hasValue(12);
        assertThat(byHash.get(d).references()).isZero();
        assertThat(byHash.get(d).countMatches()).isTrue();
        assertThat(byHash.get(e).references()).isZero();
        assertThat(byHash.get(e).referencedSize()).isEmpty();
        assertThat(byHash.get(e).row().orElseThrow().refCount()).isEqualTo(1);
    }

    @Test
    public void referenceTalliesPageThroughManyHashesOnceEach() {
        Instant now = clock.instant();
        Set<ContentHash> expected = new HashSet<>();
        write(u -> {
            for (int i = 0; i < 40; i++) {
                SilknoteDocument d = document(FS, fileId(i), hash("t" + i), 1, now);
                expected.add(d.contentHash());
                if (i % 3 != 1) {
                    u.upsertDocument(d);
                }
                if (i % 3 != 2) {
                    u.upsertMapping(mapping(d, Optional.empty(), now, now));
                }
                if (i % 4 == 0) {
                    u.addBlobRef(hash("row-only" + i), 1, "e");
                    expected.add(hash("row-only" + i));
                }
            }
        });
        for (int limit : new int[] {1, 3, 7, 1000}) {
            List<ReferenceTally> tallies = all(store()::referenceTallies, limit);
            assertThat(tallies).extracting(ReferenceTally::hash).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(expected).isSorted();
        }
    }

    @Test
    @DisplayName("issue 11: tallies page on past hashes only documents with mappings of other content hold")
    public void referenceTalliesPagePastDocumentsWhoseMappingsHoldOtherContent() {
        // documents whose mappings name other content (a ledger the check is there for): every document hash
        // sorts before every mapping hash, so early pages meet document hashes that hold no reference
        Instant now = clock.instant();
        List<ContentHash> hashes = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            hashes.add(hash("mismatch " + i));
        }
        hashes.sort(null);
        write(u -> {
            for (int i = 0; i < 6; i++) {
                SilknoteDocument d = document(FS, fileId(i), hashes.get(i), 3, now);
                u.upsertDocument(d);
                u.upsertMapping(new SyncMapping(d.clientFileId(), d.uuid(), d.clientFileId(), FS, Optional.empty(),
                        now, 3, hashes.get(6 + i), now));
            }
        });
        for (int limit : new int[] {1, 2, 5}) {
            assertThat(all(store()::referenceTallies, limit)).as("limit %d", limit)
                    .extracting(ReferenceTally::hash).containsExactlyElementsOf(hashes.subList(6, 12));
        }
    }

    @Test
    public void filesetsWithSkipsAndFilesetRecordsArePaged() {
        Instant now = clock.instant();
        write(u -> {
            for (int i = 0; i < 5; i++) {
                FilesetId fs = FilesetId.of("fs-" + i);
                u.upsertFileset(fileset(fs, now));
                if (i % 2 == 0) {
                    u.rememberSkip(new PermanentSkip(fileId(i), fs, "v", SkipReason.TOO_LARGE, now));
                    u.rememberSkip(new PermanentSkip(fileId(100 + i), fs, "v", SkipReason.EMPTY, now));
                }
            }
        });
        assertThat(all(store()::filesetsWithSkips, 2)).containsExactly(FilesetId.of("fs-0"), FilesetId.of("fs-2"),
                FilesetId.of("fs-4"));
        assertThat(all(store()::filesetRecords, 2)).extracting(PatientFilesetRecord::filesetId)
                .containsExactly(FilesetId.of("fs-0"), FilesetId.of("fs-1"), FilesetId.of("fs-2"),
                        FilesetId.of("fs-3"), FilesetId.of("fs-4"));
        assertThat(store().filesetRecords(Optional.empty(), 10).items().get(1)).isEqualTo(fileset(FilesetId.of("fs-1"),
                now));
    }

    // ------------------------------------------------------------------ outbox

    @Test
    @DisplayName("issue 11: parked entries are listed, requeued with no attempts, or removed")
    public void parkedEntriesAreListedRequeuedAndRemoved() {
        Instant now = clock.instant();
        DocumentUuid doc = DocumentUuid.forVsrxFile(fileId(1));
        write(u -> {
            for (int i = 0; i < 4; i++) {
                u.enqueue(OutboxEntry.pending(doc, OutboxEntry.Action.PROCESS, hash("o" + i), now));
            }
        });
        List<OutboxEntry> pending = store().pendingOutbox(10);
        long first = pending.get(0).id();
        long second = pending.get(1).id();
        long third = pending.get(2).id();
        store().failOutbox(T1, first, "Boom", true);
        store().failOutbox(T1, second, "Boom", true);
        assertThat(store().parkedOutbox(0, 10)).extracting(OutboxEntry::id).containsExactly(first, second);
        assertThat(store().parkedOutbox(first, 10)).extracting(OutboxEntry::id).containsExactly(second);
        assertThat(store().parkedOutbox(0, 1)).hasSize(1);
        assertThat(store().parkedOutbox(0, 10).get(0).lastError()).contains("Boom");

        write(u -> {
            u.requeueOutbox(first);
            u.removeOutbox(second);
            u.removeOutbox(third);
            u.removeOutbox(987_654);
            u.requeueOutbox(987_655);
        });
        assertThat(store().parkedOutbox(0, 10)).isEmpty();
        List<OutboxEntry> now2 = store().pendingOutbox(10);
        assertThat(now2).extracting(OutboxEntry::id).containsExactly(first, pending.get(3).id());
        assertThat(now2.get(0).attempts()).isZero();
        assertThat(now2.get(0).lastError()).isEmpty();
    }

    @Test
    public void deleteMappingLeavesTheDocument() {
        SilknoteDocument d = synced(FS, 1, "doc");
        write(u -> {
            u.deleteMapping(d.clientFileId());
            u.deleteMapping(fileId(77));
        });
        assertThat(store().findMapping(d.clientFileId())).isEmpty();
        assertThat(store().findDocument(d.uuid())).contains(d);
    }

    // ------------------------------------------------------------------ audit

    @Test
    @DisplayName("issue 11: audit rows are written with the unit, carry the token, and are found by document, fileset and run")
    public void auditRowsAreWrittenWithTheUnitAndQueryable() {
        DocumentUuid doc = DocumentUuid.forVsrxFile(fileId(1));
        AuditEntry created = AuditEntry.of(RUN, AuditAction.CREATED).document(doc).fileId(fileId(1)).fileset(FS)
                .after(hash("v1")).build();
        AuditEntry migrated = AuditEntry.of(RunId.of("migration-1"), AuditAction.MIGRATED).document(doc)
                .fileId(fileId(1)).fileset(FS2).fromFileset(FS).before(hash("v1")).after(hash("v1"))
                .detail("migrated-from:" + FS.value()).build();
        AuditEntry other = AuditEntry.of(RUN, AuditAction.CONFLICT).document(DocumentUuid.forVsrxFile(fileId(2)))
                .fileId(fileId(2)).fileset(FS2).detail("document-removed-in-silknote").build();
        store().inUnitOfWork(FencingToken.of(3), u -> {
            u.audit(created);
            return null;
        });
        clock.advance(Duration.ofSeconds(5));
        store().inUnitOfWork(FencingToken.of(4), u -> {
            u.audit(migrated);
            u.audit(other);
            return null;
        });

        List<AuditRecord> byDoc = store().auditTrail(AuditQuery.byDocument(doc), 0, 10);
        assertThat(byDoc).extracting(AuditRecord::entry).containsExactly(created, migrated);
        assertThat(byDoc.get(0).fencingToken()).isEqualTo(FencingToken.of(3));
        assertThat(byDoc.get(1).fencingToken()).isEqualTo(FencingToken.of(4));
        assertThat(byDoc.get(0).recordedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(byDoc.get(1).id()).isGreaterThan(byDoc.get(0).id());
        assertThat(store().auditTrail(AuditQuery.byDocument(doc), byDoc.get(0).id(), 10))
                .extracting(AuditRecord::entry).containsExactly(migrated);
        assertThat(store().auditTrail(AuditQuery.byFileset(FS), 0, 10)).extracting(AuditRecord::entry)
                .containsExactly(created, migrated);
        assertThat(store().auditTrail(AuditQuery.byFileset(FS2), 0, 10)).extracting(AuditRecord::entry)
                .containsExactly(migrated, other);
        assertThat(store().auditTrail(AuditQuery.byRun(RUN), 0, 10)).extracting(AuditRecord::entry)
                .containsExactly(created, other);
        assertThat(store().auditTrail(AuditQuery.byRun(RUN), 0, 1)).hasSize(1);
        assertThat(store().auditTrail(AuditQuery.byRun(RunId.of("never")), 0, 10)).isEmpty();
    }

    @Test
    public void aRolledBackOrStaleUnitLeavesNoAuditRow() {
        DocumentUuid doc = DocumentUuid.forVsrxFile(fileId(1));
        AuditEntry entry = AuditEntry.of(RUN, AuditAction.DELETED).document(doc).build();
        store().fence(FencingToken.of(5));
        assertThatThrownBy(() -> store().inUnitOfWork(FencingToken.of(4), u -> {
            u.audit(entry);
            return null;
        })).isInstanceOf(StaleFencingTokenException.class);
        assertThatThrownBy(() -> store().inUnitOfWork(FencingToken.of(5), u -> {
            u.audit(entry);
            throw new IllegalStateException("rolled back");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(store().auditTrail(AuditQuery.byDocument(doc), 0, 10)).isEmpty();
    }

    @Test
    public void anAuditDetailCannotCarryAPath() {
        assertThatThrownBy(() -> AuditEntry.of(RUN, AuditAction.CONFLICT).detail("notes/Befund.pdf").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuditEntry.of(RUN, AuditAction.CONFLICT).detail("a b").build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ blob maintenance

    private BlobRef row(ContentHash h) {
        return store().findBlobRef(h).orElseThrow();
    }

    private void zeroRow(ContentHash h, String etag) {
        write(u -> {
            u.addBlobRef(h, 5, etag);
            u.releaseBlobRef(h);
        });
    }

    @Test
    @DisplayName("DESIGN §4 / rule 14: a unit marks a zero row DELETING only when nothing references the hash")
    public void markingInAUnitRequiresNoReferenceAtCommit() {
        Instant now = clock.instant();
        ContentHash free = hash("free");
        ContentHash miscounted = hash("miscounted");
        ContentHash young = hash("young");
        zeroRow(free, "e-free");
        zeroRow(miscounted, "e-mis");
        SilknoteDocument d = document(FS, fileId(1), miscounted, 5, now);
        write(u -> u.upsertMapping(mapping(d, Optional.empty(), now, now)));
        clock.advance(Duration.ofHours(2));
        zeroRow(young, "e-young");
        Instant notAfter = clock.instant().minus(Duration.ofHours(1));
        write(u -> {
            u.markBlobDeleting(free, "e-free", notAfter);
            u.markBlobDeleting(miscounted, "e-mis", notAfter);
            u.markBlobDeleting(young, "e-young", notAfter);
            u.markBlobDeleting(hash("absent"), "e", notAfter);
        });
        assertThat(row(free).state()).isEqualTo(BlobRef.State.DELETING);
        assertThat(row(free).blobEtag()).contains("e-free");
        assertThat(row(miscounted).state()).as("a mapping references it, whatever the count says")
                .isEqualTo(BlobRef.State.LIVE);
        assertThat(row(young).state()).isEqualTo(BlobRef.State.LIVE);
        assertThat(store().findBlobRef(hash("absent"))).isEmpty();
    }

    @Test
    @DisplayName("rule 14: an uploaded blob without a row is adopted as DELETING only while unreferenced")
    public void adoptionCreatesADeletingRowForAnUnknownUnreferencedHashOnly() {
        Instant now = clock.instant();
        ContentHash lost = hash("lost upload");
        ContentHash referenced = hash("referenced upload");
        ContentHash known = hash("known");
        write(u -> u.upsertDocument(document(FS, fileId(1), referenced, 3, now)));
        zeroRow(known, "e-known");
        write(u -> {
            u.adoptUnreferencedBlob(lost, 11, "e-lost");
            u.adoptUnreferencedBlob(referenced, 3, "e-ref");
            u.adoptUnreferencedBlob(known, 5, "e-other");
        });
        BlobRef adopted = row(lost);
        assertThat(adopted.state()).isEqualTo(BlobRef.State.DELETING);
        assertThat(adopted.refCount()).isZero();
        assertThat(adopted.size()).isEqualTo(11);
        assertThat(adopted.blobEtag()).contains("e-lost");
        assertThat(store().findBlobRef(referenced)).isEmpty();
        assertThat(row(known).state()).isEqualTo(BlobRef.State.LIVE);
        assertThat(row(known).blobEtag()).contains("e-known");
    }

    @Test
    public void removingADeletingRowInAUnitRecordsItsAuditOnlyWhenRemoved() {
        ContentHash h = hash("to remove");
        ContentHash live = hash("live");
        zeroRow(h, "e1");
        zeroRow(live, "el");
        clock.advance(Duration.ofHours(1));
        write(u -> u.markBlobDeleting(h, "e1", clock.instant()));
        AuditEntry removed = AuditEntry.of(RUN, AuditAction.CLEANUP_BLOB).after(h).detail("unreferenced").build();
        AuditEntry notRemoved = AuditEntry.of(RUN, AuditAction.CLEANUP_BLOB).after(live).detail("unreferenced").build();
        write(u -> {
            u.removeBlobRefIfDeleting(h, "e-wrong", removed);
            u.removeBlobRefIfDeleting(live, "el", notRemoved);
        });
        assertThat(store().findBlobRef(h)).isPresent();
        assertThat(store().auditTrail(AuditQuery.byRun(RUN), 0, 10)).isEmpty();
        write(u -> u.removeBlobRefIfDeleting(h, "e1", removed));
        assertThat(store().findBlobRef(h)).isEmpty();
        assertThat(store().findBlobRef(live)).isPresent();
        assertThat(store().auditTrail(AuditQuery.byRun(RUN), 0, 10)).extracting(AuditRecord::entry)
                .containsExactly(removed);
    }

    @Test
    @DisplayName("issue 11: a recount sets the count to the references and audits what it changed")
    public void recountSetsTheCountToTheReferences() {
        Instant now = clock.instant();
        ContentHash over = hash("over");
        ContentHash missing = hash("missing row");
        ContentHash right = hash("right");
        ContentHash dead = hash("dead");
        SilknoteDocument a = document(FS, fileId(1), over, 4, now);
        SilknoteDocument b = document(FS, fileId(2), missing, 9, now);
        SilknoteDocument c = document(FS, fileId(3), right, 4, now);
        write(u -> {
            u.upsertDocument(a);
            u.upsertMapping(mapping(a, Optional.empty(), now, now));
            u.addBlobRef(over, 4, "e-over");
            u.addBlobRef(over, 4, "e-over");
            u.addBlobRef(over, 4, "e-over");
            u.upsertMapping(mapping(b, Optional.empty(), now, now));
            u.upsertDocument(c);
            u.addBlobRef(right, 4, "e-right");
            u.addBlobRef(dead, 2, "e-dead");
        });
        AuditEntry template = AuditEntry.of(RUN, AuditAction.REPAIR_REFERENCE_COUNT).build();
        write(u -> {
            for (ContentHash h : List.of(over, missing, right, dead, hash("nothing"))) {
                u.recountBlobRef(h, template);
            }
        });
        assertThat(row(over).refCount()).isEqualTo(1);
        assertThat(row(over).blobEtag()).contains("e-over");
        assertThat(row(missing).refCount()).isEqualTo(1);
        assertThat(row(missing).state()).isEqualTo(BlobRef.State.LIVE);
        assertThat(row(missing).size()).isEqualTo(9);
        assertThat(row(right).refCount()).isEqualTo(1);
        assertThat(row(dead).refCount()).isZero();
        assertThat(store().findBlobRef(hash("nothing"))).isEmpty();
        assertThat(store().auditTrail(AuditQuery.byRun(RUN), 0, 10)).extracting(r -> r.entry().detail().orElseThrow())
                .containsExactlyInAnyOrder("refCount:3>1", "refCount:0>1", "refCount:1>0");
    }

    @Test
    public void aRecountRevivesAReferencedDeletingRow() {
        Instant now = clock.instant();
        ContentHash h = hash("referenced but deleting");
        zeroRow(h, "e1");
        clock.advance(Duration.ofHours(1));
        write(u -> u.markBlobDeleting(h, "e1", clock.instant()));
        SilknoteDocument d = document(FS, fileId(1), h, 5, now);
        write(u -> u.upsertMapping(mapping(d, Optional.empty(), now, now)));
        write(u -> u.recountBlobRef(h, AuditEntry.of(RUN, AuditAction.REPAIR_REFERENCE_COUNT).build()));
        assertThat(row(h).state()).isEqualTo(BlobRef.State.LIVE);
        assertThat(row(h).refCount()).isEqualTo(1);
        assertThat(store().auditTrail(AuditQuery.byRun(RUN), 0, 10)).extracting(r -> r.entry().detail().orElseThrow())
                .containsExactly("refCount:0>1,revived");
    }

    @Test
    @DisplayName("issue 11: blob maintenance and ledger writes never share a unit (counts would not be what is stored)")
    public void blobMaintenanceAndLedgerWritesDoNotMix() {
        Instant now = clock.instant();
        ContentHash h = hash("mixed");
        SilknoteDocument d = document(FS, fileId(1), h, 5, now);
        AuditEntry template = AuditEntry.of(RUN, AuditAction.REPAIR_REFERENCE_COUNT).build();
        List<Function<DocumentStore.UnitOfWork, Object>> mixes = List.of(
                u -> {
                    u.upsertDocument(d);
                    u.recountBlobRef(h, template);
                    return null;
                },
                u -> {
                    u.adoptUnreferencedBlob(h, 5, "e");
                    u.upsertMapping(mapping(d, Optional.empty(), now, now));
                    return null;
                },
                u -> {
                    u.markBlobDeleting(h, "e", now);
                    u.addBlobRef(h, 5, "e");
                    return null;
                });
        for (Function<DocumentStore.UnitOfWork, Object> mix : mixes) {
            assertThatThrownBy(() -> store().inUnitOfWork(T1, mix)).isInstanceOf(IllegalStateException.class);
        }
        assertThat(store().findDocument(d.uuid())).isEmpty();
        assertThat(store().findMapping(d.clientFileId())).isEmpty();
        assertThat(store().findBlobRef(h)).isEmpty();
    }
}
